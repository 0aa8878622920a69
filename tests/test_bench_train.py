"""benchmarks/bench_train.py: its code path for one short epoch, and its summary line.

No time is asserted: the benchmark measures times, the test checks what it computes from them.
"""

import importlib.util
import json
import textwrap
from pathlib import Path

import pytest
from jobs import python_run

from cnnlib import speedrun

PATH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_train.py"

# Four recipes trained for one epoch of 64 images: seconds of tracing and training, in a fresh
# Python that conftest starts as soon as this module is collected (fixture `background`).
BACKGROUND = {"one short epoch": python_run(textwrap.dedent(f"""
    import contextlib, importlib.util, io, json
    import numpy as np
    spec = importlib.util.spec_from_file_location("bench_train", {str(PATH)!r})
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    rng = np.random.default_rng(0)
    y = np.arange(64) % 10
    x = rng.integers(0, 40, size=(64, 28, 28), dtype=np.uint8)
    for label in range(10):  # one bright bar per class, so that accuracy can rise
        x[y == label, 2 + 2 * label:4 + 2 * label, 4:24] = 255
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        lines = bench.run_benchmark((x, y, x[:30], y[:30]), max_epochs=1, log=False)
    print(json.dumps([printed.getvalue(), lines]))
"""))}


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_train", PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def timed(accuracies, seconds, name="run"):
    return speedrun.TimedRun(name=name, target=0.985, time_limit=None, seconds=seconds,
                             accuracies=accuracies, steps=list(range(1, len(seconds) + 1)),
                             steps_per_epoch=1, images_per_epoch=100, model=None)


def test_the_last_line_compares_the_seconds_to_the_target(bench):
    fast = timed([0.97, 0.986], [5.0, 9.0])
    notebook = timed([0.98, 0.986, 0.99], [10.0, 20.0, 30.0])
    keras_io = timed([0.98, 0.984, 0.9855], [8.0, 16.0, 24.0])
    best = timed([0.98, 0.99, 0.9912], [5.0, 9.0, 13.0])
    line = bench.last_line(0.985, [fast, notebook, keras_io], best)
    assert line == ("time to 98.5%: fast 9.0 s, notebook-08 20.0 s, keras-io 24.0 s, ratio "
                    "A/min(B,C) = 0.45, best accuracy in 60 s: 99.1%")
    assert bench.LAST_LINE.match(line)
    missed = timed([0.98, 0.984], [8.0, 16.0])
    line = bench.last_line(0.985, [fast, missed, keras_io], best)
    assert "notebook-08 >16.0 s" in line and "= 0.38," in line  # 9 / 24
    line = bench.last_line(0.985, [fast, missed, timed([0.9], [12.0])], best)
    assert "keras-io >12.0 s" in line and "= <0.75," in line  # at most 9 / 12
    assert bench.LAST_LINE.match(line)
    assert "= n/a," in bench.last_line(0.985, [missed, notebook, keras_io], best)


@pytest.mark.slow
def test_the_sixty_second_run_fits_the_epochs_it_has_time_for(bench):
    # first epoch 10 s (tracing included), then 4 s each: 10 + 4 * 12 = 58 <= 60 < 62
    assert bench.epochs_within(timed([0.9, 0.95, 0.97], [10.0, 14.0, 18.0]), 60) == 13
    assert bench.epochs_within(timed([0.9], [10.0]), 60) == 6
    assert bench.epochs_within(timed([0.9, 0.95], [70.0, 80.0]), 60) == 1
    untargeted = timed([0.99], [5.0])
    untargeted.target = None
    assert bench.seconds_text(untargeted) == "-"


def test_the_benchmark_runs_every_recipe_for_one_short_epoch(bench, background):
    result = background["one short epoch"]
    assert result.returncode == 0, result.stderr[-3000:]
    printed, lines = json.loads(result.stdout.splitlines()[-1])
    assert printed == ""
    assert bench.LAST_LINE.match(lines[-1]), lines[-1]
    rows = lines[2:-2]
    assert [row.split("  ")[0] for row in rows] == ["fast", "notebook-08", "keras-io",
                                                     "fast, 1 epochs in 60 s"]
    assert all(row.split()[-1] in {"29,402", "203,898", "34,826"} for row in rows)
