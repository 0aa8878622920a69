# nbgrader settings for the course notebooks (README, "For instructors").
#
# Append this file to the nbgrader_config.py that `nbgrader quickstart <course>` wrote, which
# keeps your course id:   cat nbgrader_config.py >> <course>/nbgrader_config.py
# nbgrader reads it in the course folder for every command.
import os

c = get_config()  # noqa: F821  (nbgrader provides get_config)

# Autograding runs the notebooks in quick mode (small subsets, short training: what the test suite
# runs), unless CNNLIB_QUICK is set otherwise where nbgrader starts. The kernels nbgrader starts
# inherit this environment, as they do CNNLIB_DATA_DIR for offline data.
os.environ.setdefault("CNNLIB_QUICK", "1")

# The course kernel: the notebooks ask for "python3", which is the Python that runs nbgrader, so
# install nbgrader into the environment that has cnnlib (`pip install -e ".[test]"` does both).
c.Execute.kernel_name = "python3"

# Cell time limit. The slowest cell of any notebook took 19 seconds in quick mode on two busy CPU
# cores (the test run prints the slowest notebooks and cell); nbgrader's default of 30 seconds
# is too close to that, and far too short in full mode. 10 minutes leaves room for a loaded
# machine and for a first run that downloads a dataset.
c.Execute.timeout = 600

# The student edition of `python -m cnnlib.release` (make student) writes the same stubs, so the
# two editions agree line for line.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "*Write your answer here.*"

# Feedback: a failing check's first line says which case failed, expected and got; keep the
# traceback short so that line is what the student reads.
c.LimitOutput.max_traceback = 20
