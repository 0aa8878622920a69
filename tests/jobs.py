"""Work that tests start early and read later: a :class:`Job` runs a function in a thread of its
own; :func:`python_run` makes a job of a fresh Python process. The conftest starts the jobs of
a test module as soon as the module is collected (the ``background`` fixture) and grades the
nbgrader course in two jobs."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

_REPO = Path(__file__).resolve().parents[1]


class Job:
    """``function()`` run in a thread of its own from :meth:`start` (after the job ``after``, if
    given, has ended); :meth:`result` waits for it and returns its value or re-raises its error."""

    def __init__(self, name, function, after=None):
        self.name, self.function, self.after = name, function, after
        self.value, self.error, self.cancelled = None, None, False
        self.began = self.seconds = None  # when it began (time.perf_counter) and how long it took
        self.ended, self.started = threading.Event(), threading.Lock()
        self.thread = threading.Thread(target=self.run, name=name, daemon=True)

    def start(self):
        if self.started.acquire(blocking=False):  # the first call starts it, the others wait
            self.thread.start()
        return self

    def run(self):
        try:
            if self.after is not None:
                self.after.start().wait()
            if self.cancelled:
                raise RuntimeError(f"{self.name} was cancelled: the test run ended")
            self.began = time.perf_counter()
            self.value = self.function()
        except BaseException as error:  # pytest.fail raises an OutcomeException
            self.error = error
        finally:
            if self.began is not None:
                self.seconds = time.perf_counter() - self.began
            self.ended.set()

    def wait(self, timeout=None):
        self.ended.wait(timeout)

    def stop(self, timeout=60):
        """Cancel the job if it has not begun; if it runs, wait for its end (a function that
        starts processes, such as ``multiworker.run_workers``, stops them before it returns)."""
        self.cancelled = True
        if self.started.locked():
            self.wait(timeout)

    def result(self):
        self.start().wait()
        if isinstance(self.error, pytest.fail.Exception):
            pytest.fail(f"{self.name} failed: {self.error}", pytrace=False)
        if self.error is not None:
            raise self.error
        return self.value


_PROCESSES = set()  # the processes that python_run started and that have not ended yet


def python_run(code, env=None, timeout=300):
    """A function that runs ``python -c code`` and returns its ``CompletedProcess`` (text),
    with ``env`` added to this environment less its ``TF_`` and ``CNNLIB_TF`` variables, with
    this checkout first on ``PYTHONPATH`` and one thread for TensorFlow's operations."""
    def run():
        base = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "CNNLIB_TF"))}
        base["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_REPO), base.get("PYTHONPATH")]))
        # One thread for TensorFlow's operations: the job shares the machine with the tests.
        base.update(TF_NUM_INTRAOP_THREADS="1", TF_NUM_INTEROP_THREADS="1")
        process = subprocess.Popen([sys.executable, "-c", code], env={**base, **(env or {})},
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        _PROCESSES.add(process)
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
            _PROCESSES.discard(process)
        return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    return run


def stop_processes():
    """Kill the processes of :func:`python_run` that are still running."""
    for process in list(_PROCESSES):
        if process.poll() is None:
            process.kill()
