"""Data parallelism on one machine with ``tf.distribute`` (course: notebook 20).

- :func:`split_cpu`: split the CPU into ``n`` logical devices, so that a ``MirroredStrategy``
  has several replicas on a laptop, on Colab's CPU runtime and in continuous integration (on a
  machine with several GPUs the same strategy uses the GPUs instead);
- :func:`mirrored_strategy`: a ``MirroredStrategy`` over the GPUs, else over the logical CPUs;
- :func:`small_classifier` and :func:`synthetic_images`: the small network and the data that the
  equality checks train, fixed by a seed;
- :func:`compare_with_one_device`: train the same model with ``model.fit`` on ``n`` replicas
  and on one device at the same global batch, and return the largest weight difference;
- :func:`max_weight_difference`: the largest absolute difference between two lists of weights.

The logical devices must be set before TensorFlow initialises its devices (its first operation),
so a notebook calls :func:`split_cpu` right after ``import cnnlib``:

    import cnnlib
    from cnnlib import distribute
    distribute.split_cpu(2)
    strategy = distribute.mirrored_strategy()

The run across processes and machines (``MultiWorkerMirroredStrategy``) is in
:mod:`cnnlib.multiworker`.
"""

from dataclasses import dataclass

import numpy as np

from cnnlib._validation import (
    check_array,
    check_choice,
    check_instance,
    check_int,
    check_positive_int,
    check_real,
    check_str,
)

__all__ = [
    "ReplicaComparison",
    "compare_with_one_device",
    "max_weight_difference",
    "mirrored_strategy",
    "small_classifier",
    "split_cpu",
    "synthetic_images",
]

IMAGE_SIZE = 8  # the synthetic images are 8x8 grey-scale
CLASSES = 4  # one class per quadrant: the brightest quadrant is the label


def split_cpu(n):
    """Split the first physical CPU into ``n`` logical devices; return their names.

    Must run before TensorFlow initialises its devices (before the first tensor is created); a
    later call that asks for the logical CPUs already there (the same ``n`` again, or ``1`` when
    none were split) returns them, so re-running a notebook cell is harmless. A call after
    initialisation with another ``n`` raises a ``RuntimeError`` that says to restart the
    kernel.
    """
    n = check_int("n", n, 1, 64)
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    current = tf.config.get_logical_device_configuration(cpu)
    if current is None or len(current) != n:
        try:
            tf.config.set_logical_device_configuration(
                cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(n)])
        except RuntimeError as error:
            have = len(tf.config.list_logical_devices("CPU"))
            if have == n:  # already initialised as asked (no split made, or this one): harmless
                return [device.name for device in tf.config.list_logical_devices("CPU")]
            raise RuntimeError(
                f"split_cpu({n}) must run before TensorFlow initialises its devices, but they "
                f"are already initialised with {have} logical CPU(s): restart the kernel (or "
                "the Python process) and call split_cpu right after `import cnnlib`"
            ) from error
    return [device.name for device in tf.config.list_logical_devices("CPU")]


def _device_key(device):
    """``(type, index)`` of a device string (``"GPU:1"``, ``"/gpu:1"``, a full name), or None
    when TensorFlow cannot parse it."""
    import tensorflow as tf

    try:
        spec = tf.DeviceSpec.from_string(device if device.startswith("/") else
                                         f"/device:{device}")
    except ValueError:
        return None
    return (spec.device_type or "").upper(), spec.device_index or 0


def mirrored_strategy(devices=None):
    """A ``tf.distribute.MirroredStrategy`` over ``devices`` (a list of device names); by default
    over all GPUs, or over all logical CPUs when there is no GPU (see :func:`split_cpu`)."""
    import tensorflow as tf

    if devices is None:
        gpus = tf.config.list_logical_devices("GPU")
        devices = [d.name for d in (gpus or tf.config.list_logical_devices("CPU"))]
    check_instance("devices", devices, (list, tuple), "a list of device names")
    if not devices:
        raise ValueError(f"devices must be a non-empty list of device names, got {devices!r}")
    local = {_device_key(d.name) for d in tf.config.list_logical_devices()}
    for i, device in enumerate(devices):
        check_str(f"devices[{i}]", device)
        # TensorFlow would build a strategy over a device that does not exist, silently
        if _device_key(device) not in local:
            raise ValueError(f"devices[{i}] must name a device of this machine, such as "
                             f"'CPU:0' or 'GPU:0', got {device!r}; it has "
                             f"{sorted(d.name for d in tf.config.list_logical_devices())}")
    if len({_device_key(device) for device in devices}) != len(devices):
        raise ValueError(f"devices must name each device once, got {devices!r}")
    return tf.distribute.MirroredStrategy(devices)


def synthetic_images(n, seed=0):
    """``n`` random 8x8 grey-scale images ``(n, 8, 8, 1)`` and their labels ``(n,)``: the index
    (0-3, row by row) of the quadrant with the largest mean (pixels in [0, 0.5), plus 0.5 in one
    quadrant drawn at random). A problem a small CNN learns in a few steps,
    fixed by ``seed`` and independent of any download."""
    n = check_positive_int("n", n)
    seed = check_int("seed", seed, 0, 2**32 - 1)
    rng = np.random.default_rng(seed)
    x = 0.5 * rng.random((n, IMAGE_SIZE, IMAGE_SIZE, 1), dtype=np.float32)
    half = IMAGE_SIZE // 2
    chosen = rng.integers(0, CLASSES, n)
    rows, cols = np.divmod(chosen, 2)
    for i, (r, c) in enumerate(zip(rows, cols, strict=True)):
        x[i, r * half:(r + 1) * half, c * half:(c + 1) * half] += np.float32(0.5)
    quadrants = x.reshape(n, 2, half, 2, half).mean(axis=(2, 4)).reshape(n, CLASSES)
    return x, quadrants.argmax(axis=1).astype(np.int32)


def small_classifier(batch_norm=None, seed=0):
    """A small CNN for :func:`synthetic_images`: 3x3 convolution (8 filters), an optional batch
    normalisation (``None``, ``"per-replica"`` or ``"synchronized"``), ReLU, average pooling
    over each quadrant and a 4-way softmax. Build it inside ``strategy.scope()`` to distribute
    it."""
    check_choice("batch_norm", batch_norm, (None, "per-replica", "synchronized"))
    seed = check_int("seed", seed, 0, 2**32 - 1)
    import keras

    init = keras.initializers.GlorotUniform(seed=seed)
    inputs = keras.Input((IMAGE_SIZE, IMAGE_SIZE, 1))
    x = keras.layers.Conv2D(8, 3, padding="same", kernel_initializer=init)(inputs)
    if batch_norm is not None:
        x = keras.layers.BatchNormalization(synchronized=batch_norm == "synchronized")(x)
    x = keras.layers.ReLU()(x)
    x = keras.layers.AveragePooling2D(IMAGE_SIZE // 2)(x)  # one mean per quadrant
    x = keras.layers.Flatten()(x)
    outputs = keras.layers.Dense(CLASSES, activation="softmax",
                                 kernel_initializer=keras.initializers.GlorotUniform(seed + 1))(x)
    return keras.Model(inputs, outputs, name="small_classifier")


def max_weight_difference(first, second):
    """The largest absolute difference between two lists of weight arrays of the same shapes
    (``model.get_weights()``)."""
    for name, weights in (("first", first), ("second", second)):
        check_instance(name, weights, (list, tuple), "a list of weight arrays")
    if len(first) != len(second):
        raise ValueError(f"first and second must hold as many arrays, got {len(first)} and "
                         f"{len(second)}")
    worst = 0.0
    for i, (a, b) in enumerate(zip(first, second, strict=True)):
        a = check_array(f"first[{i}]", a).astype(np.float64)
        b = check_array(f"second[{i}]", b).astype(np.float64)
        if a.shape != b.shape:
            raise ValueError(f"weight {i} has shape {a.shape} in first and {b.shape} in second")
        if a.size:
            worst = max(worst, float(np.max(np.abs(a - b))))
    return worst


@dataclass(frozen=True)
class ReplicaComparison:
    """What :func:`compare_with_one_device` measured."""

    replicas: int
    global_batch: int
    per_replica_batch: int
    steps: int
    max_difference: float  # largest |w_replicas - w_one_device| over all weights
    largest_weight: float  # largest |w| after training, for scale
    replica_loss: float  # final training loss with the replicas
    one_device_loss: float


def _fit(strategy, x, y, weights, batch_norm, global_batch, epochs, learning_rate):
    import keras
    import tensorflow as tf

    with strategy.scope():
        model = small_classifier(batch_norm)
        model.set_weights(weights)
        model.compile(optimizer=keras.optimizers.SGD(learning_rate),
                      loss="sparse_categorical_crossentropy")
    data = tf.data.Dataset.from_tensor_slices((x, y)).batch(global_batch, drop_remainder=True)
    history = model.fit(data, epochs=epochs, shuffle=False, verbose=0)
    return model.get_weights(), float(history.history["loss"][-1])


def compare_with_one_device(strategy, *, global_batch=32, steps=20, epochs=1, batch_norm=None,
                            learning_rate=0.1, seed=0):
    """Train :func:`small_classifier` with ``model.fit`` under ``strategy`` and under a
    ``OneDeviceStrategy`` on the first device, from the same initial weights on the same
    ``steps`` batches of ``global_batch`` images (SGD, no shuffling), and compare the weights.

    With ``batch_norm=None`` or ``"synchronized"`` the two runs compute the same gradients up to
    the order of the floating-point sums (differences near 1e-7); with ``"per-replica"`` each
    replica normalises with the statistics of its own part of the batch, so they differ.
    Returns a :class:`ReplicaComparison`.
    """
    import tensorflow as tf

    check_instance("strategy", strategy, tf.distribute.Strategy, "a tf.distribute strategy")
    global_batch = check_positive_int("global_batch", global_batch)
    steps = check_positive_int("steps", steps)
    epochs = check_positive_int("epochs", epochs)
    check_choice("batch_norm", batch_norm, (None, "per-replica", "synchronized"))
    learning_rate = check_real("learning_rate", learning_rate, 0, None, min_open=True)
    replicas = strategy.num_replicas_in_sync
    if global_batch % replicas:
        raise ValueError(f"global_batch must be a multiple of the {replicas} replicas, got "
                         f"{global_batch}")
    x, y = synthetic_images(global_batch * steps, seed)
    initial = small_classifier(batch_norm, seed).get_weights()
    first_device = strategy.extended.worker_devices[0]
    one = tf.distribute.OneDeviceStrategy(first_device)
    replica_weights, replica_loss = _fit(strategy, x, y, initial, batch_norm, global_batch,
                                         epochs, learning_rate)
    one_weights, one_loss = _fit(one, x, y, initial, batch_norm, global_batch, epochs,
                                 learning_rate)
    return ReplicaComparison(
        replicas=replicas, global_batch=global_batch, per_replica_batch=global_batch // replicas,
        steps=steps * epochs, max_difference=max_weight_difference(replica_weights, one_weights),
        largest_weight=max(float(np.max(np.abs(w))) for w in one_weights if w.size),
        replica_loss=replica_loss, one_device_loss=one_loss)

