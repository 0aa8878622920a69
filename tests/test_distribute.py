"""tf.distribute in the library (notebook 20): replicas on logical CPUs match one device, two
worker processes on localhost match one process, and failures are reported, not waited for.

Logical devices must be set before TensorFlow initialises its devices, which this test process
has done already, so the MirroredStrategy check runs in a fresh Python process; the
multi-worker run starts its own processes anyway."""

import json
import re
import textwrap

import numpy as np
import pytest
from jobs import python_run

from cnnlib import distribute, multiworker

# Two replicas compute the same mean gradient as one device, summed in another order: float32
# rounding (measured 5e-8 to 2e-7 on weights of size ~1). Per-replica batch norm differs by ~1e-3.
REPLICA_TOLERANCE = 1e-6
# Two worker processes vs one: the same, plus the all-reduce's own order (measured 3.5e-7).
WORKER_TOLERANCE = 1e-5

MIRRORED_SCRIPT = textwrap.dedent("""
    import json
    import cnnlib
    from cnnlib import distribute
    devices = distribute.split_cpu(2)
    assert distribute.split_cpu(2) == devices  # a second call is harmless
    try:
        distribute.split_cpu(3)
    except RuntimeError as error:
        late = str(error)
    strategy = distribute.mirrored_strategy()
    result = {"devices": devices, "late": late}
    for batch_norm in (None, "synchronized", "per-replica"):
        r = distribute.compare_with_one_device(strategy, global_batch=16, steps=6,
                                               batch_norm=batch_norm, learning_rate=0.5)
        result[str(batch_norm)] = [r.replicas, r.per_replica_batch, r.max_difference,
                                   r.replica_loss, r.one_device_loss]
    print(json.dumps(result))
""")


def _worker_error(**kwargs):
    """The WorkerError of a run of two workers (None if it ran)."""
    try:
        multiworker.run_workers(2, **kwargs)
    except multiworker.WorkerError as error:
        return error
    return None


# Processes that import TensorFlow for seconds each: conftest starts them as soon as this module is
# collected, beside the other tests (the fixture `background` gives their results).
BACKGROUND = {
    "mirrored": python_run(MIRRORED_SCRIPT),
    "two workers": lambda: multiworker.run_workers(2, steps=8, global_batch=16, timeout=240),
    "dying worker": lambda: _worker_error(steps=2, global_batch=4, fail_worker=0, timeout=240),
}


@pytest.fixture(scope="module")
def mirrored(background):
    done = background["mirrored"]
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_split_cpu_makes_logical_devices_and_refuses_late_changes(mirrored):
    assert mirrored["devices"] == ["/device:CPU:0", "/device:CPU:1"]
    assert "restart the kernel" in mirrored["late"] and "split_cpu(3)" in mirrored["late"]


@pytest.mark.slow
@pytest.mark.parametrize("batch_norm", ["None", "synchronized"])
def test_two_replicas_match_one_device_at_the_same_global_batch(mirrored, batch_norm):
    replicas, per_replica, difference, replica_loss, one_loss = mirrored[batch_norm]
    assert (replicas, per_replica) == (2, 8)
    assert difference < REPLICA_TOLERANCE
    assert replica_loss == pytest.approx(one_loss, abs=1e-5)


@pytest.mark.slow
def test_per_replica_batch_norm_differs_from_one_device(mirrored):
    """Each replica normalises with its own 8 images: not the 16-image statistics."""
    assert mirrored["per-replica"][2] > 100 * REPLICA_TOLERANCE


@pytest.mark.slow
def test_two_workers_on_localhost_match_one_process(background):
    run = background["two workers"]
    reference, losses = multiworker.reference_run(steps=8, global_batch=16)
    assert len(run.weights) == 2 and len(run.losses[0]) == 8
    assert [c["task"]["index"] for c in run.tf_configs] == [0, 1]
    for weights in run.weights:
        assert distribute.max_weight_difference(weights, reference) < WORKER_TOLERANCE
    np.testing.assert_allclose(run.losses[0], losses, atol=1e-5)
    assert np.mean(losses[-3:]) < np.mean(losses[:3])  # it trains
    # The reference itself moved: a run that ignored the gradients would not match it.
    untrained = distribute.small_classifier().get_weights()
    assert distribute.max_weight_difference(untrained, reference) > 1e-2


@pytest.mark.slow
def test_a_dying_worker_is_reported_and_the_other_stopped(background):
    error = background["dying worker"]
    assert error is not None, "a worker that exits with an error must raise WorkerError"
    assert re.search(r"worker 0 of 2 exited with code 2.*the others were stopped[\s\S]*"
                     r"asked to fail", str(error)), str(error)
    assert len(error.returncodes) == 2 and None not in error.returncodes
    assert error.returncodes[1] != 0  # killed, not finished


def test_a_timeout_stops_every_worker():
    with pytest.raises(multiworker.WorkerError, match=r"did not finish within 0.5 s") as caught:
        multiworker.run_workers(2, steps=2, global_batch=4, timeout=0.5)
    codes = caught.value.returncodes
    assert len(codes) == 2 and None not in codes and all(code != 0 for code in codes)


@pytest.mark.parametrize("config, message", [
    ("not json", "TF_CONFIG must be JSON"),
    ({"cluster": {"worker": ["localhost:1"]}}, "missing \\['task'\\]"),
    ({"cluster": {"ps": ["localhost:1"]}, "task": {"type": "ps", "index": 0}},
     "must list its 'worker' hosts"),
    ({"cluster": {"worker": ["localhost"]}, "task": {"type": "worker", "index": 0}},
     "'host:port' strings"),
    ({"cluster": {"worker": ["localhost:70000"]}, "task": {"type": "worker", "index": 0}},
     "port from 1 to 65535"),
    ({"cluster": {"worker": []}, "task": {"type": "worker", "index": 0}}, "at least one"),
    ({"cluster": {"worker": ["a:1", "b:2"]}, "task": {"type": "worker", "index": 2}},
     "from 0 to 1"),
    ({"cluster": {"worker": ["a:1"]}, "task": {"type": "chief", "index": 0}},
     "one of the cluster's task types"),
    ([1, 2], "must be a dict"),
])
def test_a_bad_tf_config_is_named(config, message):
    with pytest.raises((ValueError, TypeError), match=message):
        multiworker.parse_tf_config(config)


def test_a_worker_with_a_bad_tf_config_exits_with_the_reason(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": {"worker": ["localhost:1"]},
                                                "task": {"type": "worker", "index": 1}}))
    assert multiworker.main(["--out", str(tmp_path / "w.npz")]) == 2
    assert "TF_CONFIG['task']['index'] must be an integer from 0 to 0" in capsys.readouterr().err
    assert not (tmp_path / "w.npz").exists()


def test_tf_configs_name_every_worker_on_free_ports():
    configs = multiworker.tf_configs(3)
    hosts = configs[0]["cluster"]["worker"]
    assert len(set(hosts)) == 3 and all(h.startswith("localhost:") for h in hosts)
    for i, config in enumerate(configs):
        assert multiworker.parse_tf_config(config)["task"] == {"type": "worker", "index": i}
        assert config["cluster"]["worker"] == hosts
    assert multiworker.tf_configs(2, ports=[2222, 2223])[1]["cluster"]["worker"] == [
        "localhost:2222", "localhost:2223"]


@pytest.mark.parametrize("call, message", [
    (lambda: multiworker.run_workers(0), "n_workers must be a positive integer"),
    (lambda: multiworker.run_workers(2, global_batch=5), "multiple of the 2 workers"),
    (lambda: multiworker.run_workers(2, fail_worker=2), "fail_worker must be a worker index"),
    (lambda: multiworker.run_workers(2, timeout=0), "timeout"),
    (lambda: multiworker.tf_configs(2, ports=[1]), "one port per worker"),
    (lambda: distribute.split_cpu(0), "n must be"),
    (lambda: distribute.small_classifier("sync"), "batch_norm must be"),
    (lambda: distribute.max_weight_difference([np.zeros(2)], [np.zeros(3)]), "shape"),
    (lambda: distribute.max_weight_difference([np.zeros(2)], []), "as many arrays"),
    (lambda: distribute.compare_with_one_device("mirrored"), "strategy must be"),
    (lambda: distribute.mirrored_strategy([]), "non-empty list"),
])
def test_bad_arguments_are_named(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


def test_synthetic_labels_are_the_brightest_quadrant():
    x, y = distribute.synthetic_images(5, seed=3)
    assert x.shape == (5, 8, 8, 1) and x.dtype == np.float32
    for image, label in zip(x, y, strict=True):
        means = [image[:4, :4].mean(), image[:4, 4:].mean(), image[4:, :4].mean(),
                 image[4:, 4:].mean()]
        assert label == int(np.argmax(means))
    np.testing.assert_array_equal(distribute.synthetic_images(5, seed=3)[0], x)


def test_max_weight_difference():
    assert distribute.max_weight_difference([np.zeros(2), np.ones((1,))],
                                            [np.array([0.0, -0.5]), np.ones((1,))]) == 0.5
