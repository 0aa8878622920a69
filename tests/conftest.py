"""Shared test set-up: quieten TensorFlow the way notebooks do, find the offline data, grade the
notebooks once in an nbgrader course, and report how long each notebook took.

The nbgrader course (the student edition's one execution) is graded in a background thread while
the main process runs the unit tests and nbval's execution of the instructor edition: the two
executions of each notebook share the machine's cores instead of taking turns. The tests that read
the grades run last and wait for it.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

import cnnlib  # noqa: F401  (imports TensorFlow without its start-up lines)

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
NBGRADER = [sys.executable, "-m", "nbgrader"]


@pytest.fixture
def shared_data_dir():
    """The offline data directory given by CNNLIB_DATA_DIR; skip when it is not available."""
    value = os.environ.get("CNNLIB_DATA_DIR")
    if not value or not (Path(value) / "mnist.npz").is_file():
        pytest.skip("CNNLIB_DATA_DIR does not point at the offline dataset copies")
    return Path(value)


# --- Time per notebook -------------------------------------------------------------------------

class NotebookTimes:
    """Sums nbval's cell durations per notebook and the student-edition executions, and prints
    the slowest notebooks at the end of the run. A plugin, not conftest hooks, so that it sees
    the nbval items under notebooks/ too."""

    def __init__(self):
        self.times = {}  # (notebook name, edition) -> seconds
        self.slowest_cell = (0.0, "")  # nbval's slowest cell: what nbgrader_config's timeout covers

    def add(self, name, edition, seconds):
        self.times[name, edition] = self.times.get((name, edition), 0.0) + seconds

    def pytest_runtest_logreport(self, report):
        path = report.nodeid.split("::")[0]
        if path.endswith(".ipynb"):
            self.add(Path(path).name, "instructor (nbval)", report.duration)
            self.slowest_cell = max(self.slowest_cell, (report.duration, report.nodeid))

    def pytest_terminal_summary(self, terminalreporter):
        if not self.times:
            return
        terminalreporter.section("slowest notebooks")
        totals = {}
        for (name, _), seconds in self.times.items():
            totals[name] = totals.get(name, 0.0) + seconds
        for name, total in sorted(totals.items(), key=lambda item: -item[1])[:10]:
            parts = ", ".join(f"{edition} {seconds:.0f} s"
                              for (other, edition), seconds in sorted(self.times.items())
                              if other == name)
            terminalreporter.write_line(f"{total:7.1f} s  {name}  ({parts})")
        terminalreporter.write_line(f"{sum(totals.values()):7.1f} s  all notebook executions")
        if self.slowest_cell[1]:
            terminalreporter.write_line("slowest cell: {1} ({0:.1f} s)".format(*self.slowest_cell))
        if getattr(self, "grades", None):
            terminalreporter.section("nbgrader export (test students)")
            for line in self.grades:
                terminalreporter.write_line(line)


def pytest_configure(config):
    config.pluginmanager.register(NotebookTimes(), "cnnlib-notebook-times")


def notebook_times(config):
    return config.pluginmanager.get_plugin("cnnlib-notebook-times")


@pytest.fixture(scope="session")
def student_edition(tmp_path_factory):
    """`make student`'s edition of notebooks/, built once for the run."""
    from cnnlib.release import build

    dest = tmp_path_factory.mktemp("student") / "release"
    build(NOTEBOOKS, dest)
    return dest


# --- One nbgrader course for the whole run -----------------------------------------------------

def assignment_of(path):
    """``hw07`` for ``notebooks/07-backpropagation.ipynb``."""
    return f"hw{Path(path).name[:2]}"


class Course:
    """A temporary nbgrader course whose ``source/hwNN/`` holds notebook NN as it is."""

    def __init__(self, root, grade=True):
        self.root, self.grade = root, grade
        self.log = root / "nbgrader.log"

    def nbgrader(self, *args):
        """Run ``nbgrader <args>`` in the course; return its log, fail the test with it."""
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        # nbgrader runs `alembic` (its database migrations) from PATH: this environment's.
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        result = subprocess.run(
            [*NBGRADER, *args, "--Application.log_format=%(asctime)s %(message)s",
             "--Application.log_datefmt=%H:%M:%S"],
            cwd=self.root, env=env, capture_output=True, text=True)
        with self.log.open("a") as log:
            log.write(f"$ nbgrader {' '.join(args)}\n{result.stdout}{result.stderr}")
        if result.returncode != 0:
            pytest.fail(f"nbgrader {' '.join(args)} failed:\n{result.stderr[-4000:]}")
        return result.stderr

    def release(self, path):
        return self.root / "release" / assignment_of(path) / Path(path).name

    def source(self, path):
        return self.root / "source" / assignment_of(path) / Path(path).name

    def autograded(self, student, path):
        return self.root / "autograded" / student / assignment_of(path) / Path(path).name

    def feedback(self, student, path):
        return (self.root / "feedback" / student / assignment_of(path)
                / Path(path).with_suffix(".html").name)

    def submit(self, student, path, nb):
        folder = self.root / "submitted" / student / assignment_of(path)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / Path(path).name).write_text(json.dumps(nb, indent=1, ensure_ascii=False))


_LOG_LINE = re.compile(r"^(\d\d):(\d\d):(\d\d) (Autograding|Writing \d+ bytes to) (\S+\.ipynb)$",
                       re.MULTILINE)


def autograde_times(log):
    """{(student, notebook name): seconds of execution} from a timestamped autograde log."""
    started, times = {}, {}
    for hours, minutes, seconds, what, path in _LOG_LINE.findall(log):
        stamp = int(hours) * 3600 + int(minutes) * 60 + int(seconds)
        if what == "Autograding":
            started[path] = stamp
        elif path in started:
            parts = Path(path).parts
            student = parts[parts.index("autograded") + 1]
            times[student, parts[-1]] = (stamp - started.pop(path)) % 86400
    return times


def make_course(root):
    """``nbgrader generate_assignment`` over every notebook of notebooks/, copied unchanged, with
    the course's nbgrader_config.py (as README's instructors' section does)."""
    config = (REPO / "nbgrader_config.py").read_text()
    (root / "nbgrader_config.py").write_text(
        f'c = get_config()\nc.CourseDirectory.course_id = "cnn-course"\n\n{config}')
    course = Course(root)
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        (root / "source" / assignment_of(path)).mkdir(parents=True)
        shutil.copy2(path, course.source(path))
    course.nbgrader("generate_assignment", "*")
    return course


def grade_course(course):
    """Every submission graded by one ``nbgrader autograde`` run, then feedback and export.

    Student ``blank`` hands in every released notebook unchanged: its autograded notebooks are
    the one execution of the student edition that the student-edition tests read. Test students
    besides it: tests/grading.py.
    """
    from grading import submissions

    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = json.loads(course.release(path).read_text())
        course.submit("blank", path, nb)
    for student, handed_in in submissions().items():
        for path, nb in handed_in.items():
            course.submit(student, path, nb)
    started = time.perf_counter()
    course.autograde_log = course.nbgrader("autograde", "*", "--force")
    course.autograde_seconds = time.perf_counter() - started
    course.nbgrader("generate_feedback", "*", "--force")
    course.nbgrader("export")


class BackgroundGrading:
    """Builds and grades the nbgrader course in a thread; ``course()`` and ``graded()`` wait for
    the two stages and re-raise what went wrong there."""

    def __init__(self, root, grade=True):
        self.root, self.grade = root, grade
        self.made, self.done = threading.Event(), threading.Event()
        self.course_, self.error = None, None
        self.thread = threading.Thread(target=self.run, name="nbgrader-course", daemon=True)

    def run(self):
        try:
            self.course_ = make_course(self.root)
            self.made.set()
            if self.grade:
                grade_course(self.course_)
        except BaseException as error:  # pytest.fail raises an OutcomeException
            self.error = error
        finally:
            self.made.set()
            self.done.set()

    def wait(self, event):
        event.wait()
        if self.error is not None:
            pytest.fail(f"the nbgrader course failed: {self.error}", pytrace=False)
        return self.course_

    def course(self):
        return self.wait(self.made)

    def graded(self):
        return self.wait(self.done)


def uses(item, fixture):
    return fixture in getattr(item, "fixturenames", ())


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    """The tests that read the grades run last: until then the course is graded beside them."""
    items.sort(key=lambda item: uses(item, "autograded"))


@pytest.fixture(scope="session", autouse=True)
def background_grading(request):
    """Starts grading the nbgrader course when a selected test needs it, before the first test."""
    items = request.session.items
    if not any(uses(item, "nbgrader_course") or uses(item, "autograded") for item in items):
        yield None
        return
    root = Path(tempfile.mkdtemp(prefix="nbgrader-course-"))
    grading = BackgroundGrading(root, grade=any(uses(item, "autograded") for item in items))
    grading.thread.start()
    yield grading
    grading.done.wait()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def nbgrader_course(background_grading):
    """The course after ``generate_assignment`` (made in the background, see above)."""
    return background_grading.course()


@pytest.fixture(scope="session")
def autograded(background_grading, request):
    """Every submission graded (in the background, see above): the times of each execution go to
    the notebook-times summary, nbgrader's export to the grades summary."""
    course = background_grading.graded()
    times = notebook_times(request.config)
    if times is not None and not getattr(course, "reported", False):
        course.reported = True
        for (student, name), seconds in autograde_times(course.autograde_log).items():
            times.add(name, "student edition" if student == "blank" else f"as {student}",
                      seconds)
        rows = (course.root / "grades.csv").read_text().splitlines()
        handed_in = [row for row in rows[1:] if ",blank," not in row and (
            course.root / "submitted" / row.split(",")[3] / row.split(",")[0]).is_dir()]
        blank = [row.split(",") for row in rows[1:] if ",blank," in row]
        times.grades = ["assignment,student,score,max_score"] + [
            ",".join(row.split(",")[i] for i in (0, 3, 9, 10)) for row in handed_in] + [
            f"blank: {len(blank)} notebooks, scores {sorted({row[9] for row in blank})}"]
    return course


# --- Fresh Python processes, started as soon as the tests are known ----------------------------

_FRESH_PYTHONS = {}  # test module name -> {name: running process}


def _start_fresh_pythons(module):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "CNNLIB_TF"))}
    return {name: subprocess.Popen([sys.executable, "-c", code], env={**base, **env},
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for name, (env, code) in module.FRESH_PYTHONS.items()}


def pytest_collection_finish(session):
    """Start the ``FRESH_PYTHONS`` of the test modules whose selected tests use the
    ``fresh_pythons`` fixture now: each imports TensorFlow for seconds, on a core that this
    process leaves free, while the other tests run."""
    if session.config.option.collectonly:
        return
    for item in session.items:
        module = getattr(item, "module", None)
        if ("fresh_pythons" in getattr(item, "fixturenames", ())
                and module.__name__ not in _FRESH_PYTHONS):
            _FRESH_PYTHONS[module.__name__] = _start_fresh_pythons(module)


@pytest.fixture(scope="module")
def fresh_pythons(request):
    """name -> CompletedProcess of each of the test module's ``FRESH_PYTHONS`` (name ->
    (environment, code)), run by ``python -c code`` with ``environment`` added to this one less
    its ``TF_`` and ``CNNLIB_TF`` variables, and started as soon as the tests were collected."""
    return fresh_python_results(request.module)


def fresh_python_results(module, timeout=300):
    """Wait for the ``FRESH_PYTHONS`` of ``module`` (started now if they were not)."""
    running = _FRESH_PYTHONS.pop(module.__name__, None) or _start_fresh_pythons(module)
    results = {}
    try:
        for name, process in running.items():
            stdout, stderr = process.communicate(timeout=timeout)
            results[name] = subprocess.CompletedProcess(process.args, process.returncode, stdout,
                                                        stderr)
    finally:
        for process in running.values():
            if process.poll() is None:
                process.kill()
                process.communicate()
    return results


def pytest_unconfigure(config):
    for running in _FRESH_PYTHONS.values():  # started, but their tests did not run
        for process in running.values():
            if process.poll() is None:
                process.kill()
            process.communicate()
