"""Data parallelism across processes and machines: ``MultiWorkerMirroredStrategy`` with a
custom training loop (course: notebook 20).

Keras 3's ``model.fit`` does not train under ``MultiWorkerMirroredStrategy`` (it fails
converting a ``PerReplica`` value: keras-team/keras#20585), so the workers train with the loop
that ``fit`` hides: ``tf.GradientTape`` inside ``strategy.run``, the loss averaged over the
*global* batch, the gradients summed over all replicas by the strategy's collective all-reduce.

- :func:`train_loop`: that loop, under any strategy, on :func:`cnnlib.distribute.synthetic_images`;
  returns the final weights;
- :func:`reference_run`: the same loop in this process on one device (the ground truth);
- :func:`run_workers`: start ``n`` worker processes on this machine, each with its own
  ``TF_CONFIG`` (free ports chosen at run time), wait for all of them with a time limit, always
  stop all of them, and return their final weights;
- :func:`parse_tf_config`: read and check a ``TF_CONFIG``, with a clear error when it is wrong.

Each worker is ``python -m cnnlib.multiworker --steps 20 --out weights.npz`` with ``TF_CONFIG`` set
(and ``CNNLIB_DEFER_TF=1``: it imports TensorFlow only after it has read its arguments and
``TF_CONFIG``, so a worker that cannot run exits at once); on a real cluster the same command runs
once per host (``TF_CONFIG`` naming every host's ``host:port`` and this host's index), or under
Slurm with ``--cluster slurm`` (``tf.distribute.cluster_resolver.SlurmClusterResolver`` reads the
job's hosts).
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cnnlib._tf import import_tensorflow_quietly
from cnnlib._validation import (
    check_instance,
    check_int,
    check_non_negative_int,
    check_positive_int,
    check_real,
    check_str,
    describe,
)

__all__ = ["WorkerError", "WorkerRun", "free_ports", "parse_tf_config", "reference_run",
           "run_workers", "tf_configs", "train_loop"]

_TASK_TYPES = ("worker", "chief")


class WorkerError(RuntimeError):
    """A worker process failed or did not finish in time; the message holds its last log lines,
    ``returncodes`` each worker's exit code once all were stopped (negative: killed by that
    signal)."""

    returncodes = None


def parse_tf_config(value):
    """Check a ``TF_CONFIG`` (a JSON string or a dict) and return it as a dict.

    It needs ``cluster``: a dict whose ``"worker"`` (and optional ``"chief"``) entries are
    non-empty lists of ``"host:port"`` strings, and ``task``: ``{"type": "worker", "index": i}``
    with ``i`` an index into that list. Anything else raises ``ValueError`` naming what is wrong
    (TensorFlow itself would wait for a missing peer, or fail far from the cause).
    """
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            raise ValueError(f"TF_CONFIG must be JSON, got {value[:80]!r}: {error}") from None
    check_instance("TF_CONFIG", value, dict, "a dict (or its JSON) with 'cluster' and 'task'")
    missing = [key for key in ("cluster", "task") if key not in value]
    if missing:
        raise ValueError(f"TF_CONFIG must have the keys 'cluster' and 'task', missing "
                         f"{missing}: got {json.dumps(value)[:120]}")
    cluster, task = value["cluster"], value["task"]
    check_instance("TF_CONFIG['cluster']", cluster, dict,
                   "a dict such as {'worker': ['host1:port', 'host2:port']}")
    if "worker" not in cluster and "chief" not in cluster:
        raise ValueError(f"TF_CONFIG['cluster'] must list its 'worker' hosts, got keys "
                         f"{sorted(cluster)}")
    for kind, hosts in cluster.items():
        name = f"TF_CONFIG['cluster'][{kind!r}]"
        check_instance(name, hosts, list, "a list of 'host:port' strings")
        if not hosts:
            raise ValueError(f"{name} must list at least one 'host:port', got []")
        for address in hosts:
            host, _, port = str(address).rpartition(":")
            if not isinstance(address, str) or not host or not port.isdigit() \
                    or not 0 < int(port) < 65536:
                raise ValueError(f"{name} must hold 'host:port' strings with a port from 1 to "
                                 f"65535, got {address!r}")
    check_instance("TF_CONFIG['task']", task, dict, "a dict such as {'type': 'worker', 'index': 0}")
    kind = task.get("type")
    if kind not in cluster:
        raise ValueError(f"TF_CONFIG['task']['type'] must be one of the cluster's task types "
                         f"{sorted(cluster)}, got {kind!r}")
    index = task.get("index")
    if isinstance(index, bool) or not isinstance(index, int) \
            or not 0 <= index < len(cluster[kind]):
        raise ValueError(f"TF_CONFIG['task']['index'] must be an integer from 0 to "
                         f"{len(cluster[kind]) - 1} (the {len(cluster[kind])} {kind} hosts), "
                         f"got {describe(index)}")
    return value


def free_ports(n):
    """``n`` distinct TCP ports on localhost that are free now (the system picks them)."""
    n = check_positive_int("n", n)
    sockets = []
    try:
        for _ in range(n):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("localhost", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def tf_configs(n_workers, ports=None):
    """The ``TF_CONFIG`` of each of ``n_workers`` workers on localhost (a list of dicts)."""
    n_workers = check_positive_int("n_workers", n_workers)
    if ports is None:
        ports = free_ports(n_workers)
    check_instance("ports", ports, (list, tuple), "a list of port numbers (or None)")
    if len(ports) != n_workers:
        raise ValueError(f"ports must hold one port per worker ({n_workers}), got {ports!r}")
    ports = [check_int(f"ports[{i}]", port, 1, 65535) for i, port in enumerate(ports)]
    if len(set(ports)) != n_workers:
        raise ValueError(f"ports must be distinct (one per worker), got {ports!r}")
    hosts = [f"localhost:{port}" for port in ports]
    return [{"cluster": {"worker": hosts}, "task": {"type": "worker", "index": i}}
            for i in range(n_workers)]


def _loop_arguments(steps, global_batch, learning_rate, seed):
    return (check_positive_int("steps", steps), check_positive_int("global_batch", global_batch),
            check_real("learning_rate", learning_rate, 0, None, min_open=True),
            check_int("seed", seed, 0, 2**32 - 1))


def train_loop(strategy, *, steps=20, global_batch=32, learning_rate=0.5, seed=0):
    """Train :func:`cnnlib.distribute.small_classifier` for ``steps`` SGD steps of
    ``global_batch`` synthetic images under ``strategy`` with a custom training loop; return
    ``(weights, losses)``: the final weights and the loss of each step.

    Each of the strategy's input pipelines (one per worker) reads its own contiguous part of
    each global batch, so the replicas together see exactly the batch one device would see.
    Each replica divides its summed loss by the *global* batch size; the strategy sums the
    gradients of all replicas, which is the gradient of the mean loss over the global batch.
    """
    import keras
    import tensorflow as tf

    from cnnlib.distribute import small_classifier, synthetic_images

    check_instance("strategy", strategy, tf.distribute.Strategy, "a tf.distribute strategy")
    steps, global_batch, learning_rate, seed = _loop_arguments(
        steps, global_batch, learning_rate, seed)
    replicas = strategy.num_replicas_in_sync
    if global_batch % replicas:
        raise ValueError(f"global_batch must be a multiple of the {replicas} replicas, got "
                         f"{global_batch}")
    x, y = synthetic_images(global_batch * steps, seed)

    def dataset_fn(context):
        per_replica = context.get_per_replica_batch_size(global_batch)
        share = global_batch // context.num_input_pipelines
        start = context.input_pipeline_id * share
        rows = np.concatenate([np.arange(s * global_batch + start, s * global_batch + start + share)
                               for s in range(steps)])
        return tf.data.Dataset.from_tensor_slices((x[rows], y[rows])).batch(per_replica)

    with strategy.scope():
        model = small_classifier(seed=seed)
        optimizer = keras.optimizers.SGD(learning_rate)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(reduction=None)

    def replica_step(images, labels):
        with tf.GradientTape() as tape:
            per_example = loss_fn(labels, model(images, training=True))
            loss = tf.nn.compute_average_loss(per_example, global_batch_size=global_batch)
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
        return loss

    @tf.function
    def step(images, labels):
        losses = strategy.run(replica_step, args=(images, labels))
        return strategy.reduce(tf.distribute.ReduceOp.SUM, losses, axis=None)

    losses = [float(step(images, labels))
              for images, labels in strategy.distribute_datasets_from_function(dataset_fn)]
    return [np.asarray(w) for w in model.get_weights()], losses


def reference_run(*, steps=20, global_batch=32, learning_rate=0.5, seed=0, device="/cpu:0"):
    """:func:`train_loop` in this process on one device: the result the workers must match."""
    import tensorflow as tf

    from cnnlib.timing import device_name  # imports TensorFlow: only when called

    check_str("device", device)
    device_name(device)  # refuses a device string that TensorFlow cannot parse or place
    return train_loop(tf.distribute.OneDeviceStrategy(device), steps=steps,
                      global_batch=global_batch, learning_rate=learning_rate, seed=seed)


@dataclass
class WorkerRun:
    """What :func:`run_workers` returns: each worker's final weights and losses, and the time."""

    weights: list  # weights[i]: the list of weight arrays of worker i
    losses: list  # losses[i]: the loss of each step as worker i saw it
    seconds: float
    tf_configs: list


def _tail(path, lines=15):
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.strip().splitlines()[-lines:]) or "(empty log)"


def _stop(processes):
    """Kill the processes still running, wait for them; their exit codes."""
    for process in processes:
        if process.poll() is None:
            process.kill()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - a process that ignores SIGKILL
            pass
    return [process.poll() for process in processes]


def run_workers(n_workers=2, *, steps=20, global_batch=32, learning_rate=0.5, seed=0,
                timeout=180.0, fail_worker=None):
    """Train with :func:`train_loop` under ``MultiWorkerMirroredStrategy`` in ``n_workers``
    processes on this machine, one CPU device each, and return a :class:`WorkerRun`.

    Each process gets ``TF_CONFIG`` with the same cluster (free localhost ports chosen now) and
    its own task index. The call waits for all of them for at most ``timeout`` seconds. If one
    exits with an error, the others are stopped at once (they would wait for it forever) and a
    :class:`WorkerError` quotes its log; on timeout all are stopped and :class:`WorkerError` says
    so. The processes are always stopped before the call returns or raises. ``fail_worker``
    makes that worker exit with an error before it trains (to see what a crash looks like).
    """
    n_workers = check_positive_int("n_workers", n_workers)
    steps, global_batch, learning_rate, seed = _loop_arguments(
        steps, global_batch, learning_rate, seed)
    timeout = check_real("timeout", timeout, 0, None, min_open=True)
    if fail_worker is not None:
        fail_worker = check_non_negative_int("fail_worker", fail_worker)
        if fail_worker >= n_workers:
            raise ValueError(f"fail_worker must be a worker index below {n_workers}, got "
                             f"{fail_worker}")
    if global_batch % n_workers:
        raise ValueError(f"global_batch must be a multiple of the {n_workers} workers, got "
                         f"{global_batch}")
    configs = tf_configs(n_workers)
    processes, logs = [], []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="cnnlib-workers-") as folder:
        outputs = [Path(folder) / f"worker{i}.npz" for i in range(n_workers)]
        try:
            for i, config in enumerate(configs):
                env = {**os.environ, "TF_CONFIG": json.dumps(config),
                       "CUDA_VISIBLE_DEVICES": "-1", "CNNLIB_DEFER_TF": "1"}
                command = [sys.executable, "-m", "cnnlib.multiworker", "--steps", str(steps),
                           "--global-batch", str(global_batch), "--learning-rate",
                           str(learning_rate), "--seed", str(seed), "--out", str(outputs[i])]
                if i == fail_worker:
                    command.append("--fail")
                logs.append(Path(folder) / f"worker{i}.log")
                with open(logs[-1], "wb") as log:
                    processes.append(subprocess.Popen(command, stdout=log,
                                                      stderr=subprocess.STDOUT, env=env))
            _wait(processes, logs, start + timeout, timeout)  # returns once all exited with 0
        except BaseException as error:  # a worker failed, the time ran out, or an interrupt
            codes = _stop(processes)
            if isinstance(error, WorkerError):
                error.returncodes = codes
            raise
        weights, losses = [], []
        for path in outputs:
            with np.load(path) as saved:
                count = len([k for k in saved.files if k.startswith("w")])
                weights.append([saved[f"w{j}"] for j in range(count)])
                losses.append(saved["losses"].tolist())
    return WorkerRun(weights, losses, time.perf_counter() - start, configs)


def _wait(processes, logs, deadline, timeout):
    while True:
        codes = [process.poll() for process in processes]
        for i, code in enumerate(codes):
            if code not in (None, 0):
                raise WorkerError(f"worker {i} of {len(processes)} exited with code {code}; "
                                  f"the others were stopped. Its last lines:\n{_tail(logs[i])}")
        if all(code == 0 for code in codes):
            return
        if time.perf_counter() > deadline:
            waiting = [i for i, code in enumerate(codes) if code is None]
            raise WorkerError(f"workers {waiting} did not finish within {timeout:g} s and were "
                              f"stopped (a worker waits for all its peers: is one missing?). "
                              f"Last lines of worker {waiting[0]}:\n{_tail(logs[waiting[0]])}")
        time.sleep(0.1)


def _strategy(cluster):
    if cluster != "slurm":
        parse_tf_config(os.environ.get("TF_CONFIG", "{}"))  # before TensorFlow's seconds
    tf = import_tensorflow_quietly()  # CNNLIB_DEFER_TF=1 left it to now
    if cluster == "slurm":
        resolver = tf.distribute.cluster_resolver.SlurmClusterResolver()
    else:
        resolver = tf.distribute.cluster_resolver.TFConfigClusterResolver()
    return tf.distribute.MultiWorkerMirroredStrategy(cluster_resolver=resolver)


def main(argv=None):
    """One worker: ``python -m cnnlib.multiworker --steps N --out weights.npz``."""
    parser = argparse.ArgumentParser(prog="python -m cnnlib.multiworker",
                                     description="One worker of a MultiWorkerMirroredStrategy "
                                     "run (TF_CONFIG or Slurm names the cluster).")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--global-batch", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cluster", choices=("tf_config", "slurm"), default="tf_config")
    parser.add_argument("--out", required=True, help="where to save the final weights (.npz)")
    parser.add_argument("--fail", action="store_true", help="exit with an error before training")
    args = parser.parse_args(argv)
    try:
        if args.fail:
            raise RuntimeError("this worker was asked to fail (--fail)")
        strategy = _strategy(args.cluster)
        weights, losses = train_loop(strategy, steps=args.steps, global_batch=args.global_batch,
                                     learning_rate=args.learning_rate, seed=args.seed)
    except (ValueError, TypeError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    np.savez(args.out, losses=np.asarray(losses),
             **{f"w{j}": w for j, w in enumerate(weights)})
    return 0


if __name__ == "__main__":  # `python -m` imported cnnlib first: TensorFlow is quiet
    sys.exit(main())
