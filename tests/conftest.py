"""Shared test set-up: quieten TensorFlow the way notebooks do, find the offline data, grade the
notebooks once in an nbgrader course, and report how long each notebook took.

The nbgrader course (the student edition's one execution) is graded in a background thread while
the main process runs the unit tests and nbval's execution of the instructor edition: the two
executions of each notebook share the machine's cores instead of taking turns. The tests that read
the grades run last and wait for it.
"""

import gc
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from jobs import Job, stop_processes

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
    """Builds the nbgrader course and grades it, each stage a :class:`Job`: ``course()`` and
    ``graded()`` wait for their stage and re-raise (as a test failure) what went wrong there."""

    def __init__(self, root, grade=True):
        self.made = Job("the nbgrader course", lambda: make_course(root))
        self.done = Job("grading the nbgrader course",
                        lambda: grade_course(self.made.result()) if grade else None,
                        after=self.made)

    def start(self):
        self.made.start()
        self.done.start()

    def course(self):
        return self.made.result()

    def graded(self):
        self.done.result()
        return self.made.result()


def uses(item, fixture):
    return fixture in getattr(item, "fixturenames", ())


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    """The tests that read results of work started in the background run last, those that read
    the grades after all: until then that work runs beside the other tests."""
    items.sort(key=lambda item: (uses(item, "autograded"), uses(item, "background")))


@pytest.fixture(scope="session", autouse=True)
def background_grading(request):
    """Starts grading the nbgrader course when a selected test needs it, before the first test."""
    items = request.session.items
    if not any(uses(item, "nbgrader_course") or uses(item, "autograded") for item in items):
        yield None
        return
    root = Path(tempfile.mkdtemp(prefix="nbgrader-course-"))
    grading = BackgroundGrading(root, grade=any(uses(item, "autograded") for item in items))
    grading.start()
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


# --- Work started in the background as soon as the tests are known ----------------------------

_BACKGROUND = {}  # test module name -> {name: Job}; all run one after another, on one core


def _background_jobs(module):
    if module.__name__ not in _BACKGROUND:
        last = (_background_job_list() or [None])[-1]
        jobs = {}
        for name, function in module.BACKGROUND.items():
            jobs[name] = last = Job(f"{module.__name__}: {name}", function, after=last)
        _BACKGROUND[module.__name__] = jobs
    return _BACKGROUND[module.__name__]


def _background_job_list():
    return [job for jobs in _BACKGROUND.values() for job in jobs.values()]


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    """Start the ``BACKGROUND`` jobs of a test module as soon as it is collected, if its tests
    use the ``background`` fixture: they start processes that import TensorFlow for seconds, on
    the core that this process leaves free, while the other modules are collected and the tests
    run."""
    report = yield
    if (isinstance(collector, pytest.Module) and report.passed
            and not collector.config.option.collectonly
            and any(uses(item, "background") for item in report.result)):
        for job in _background_jobs(collector.obj).values():
            job.start()
    return report


def pytest_collection_finish(session):
    """Cancel the background jobs that no selected test reads (``-k``, ``-m``, ``--deselect``):
    those not begun yet never begin."""
    if session.config.option.collectonly:
        return
    # What collection imported (TensorFlow, Keras, the notebooks' stack) lives to the end: keep it
    # out of the garbage collector's passes, and pass less often (a model build makes tens of
    # thousands of objects); seconds of a unit-test run.
    gc.freeze()
    gc.set_threshold(20_000, 10, 10)
    needed = {item.module.__name__ for item in session.items if uses(item, "background")}
    for module, jobs in _BACKGROUND.items():
        if module not in needed:
            for job in jobs.values():
                job.cancelled = True


class Results:
    """name -> the value of the module's background job of that name (waited for)."""

    def __init__(self, jobs):
        self.jobs = jobs

    def __getitem__(self, name):
        return self.jobs[name].result()


@pytest.fixture(scope="module")
def background(request):
    """The results of the test module's ``BACKGROUND`` jobs (name -> function without
    arguments), started as soon as the module was collected: ``background["name"]`` waits
    for the job and returns its value, or raises what it raised. ``jobs.python_run``
    makes a job of a fresh Python process. The jobs of all modules run one at a time."""
    return Results(_background_jobs(request.module))


def pytest_terminal_summary(terminalreporter):
    jobs = [job for job in _background_job_list() if job.seconds is not None]
    if jobs:
        terminalreporter.section("background jobs (one at a time, beside the tests)")
        for job in jobs:
            terminalreporter.write_line(f"{job.seconds:6.1f} s  {job.name}")


def pytest_unconfigure(config):
    """Background work whose tests did not run (interrupted, deselected) is stopped: a fresh
    Python is killed, a job not yet begun is cancelled, a running one is waited for."""
    stop_processes()
    for job in _background_job_list():
        job.stop()
