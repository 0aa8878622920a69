"""Measured inference time of a Keras model on the machine that runs it (notebook 14).

Multiply-adds (:mod:`cnnlib.profile`) count the arithmetic of a network; how long it takes
also depends on memory traffic, the number of layers, the hardware and the library.  This
module measures it:

- :func:`inference_time` times repeated forward passes of a compiled (traced) model on a
  random batch of the model's input shape and returns an :class:`InferenceTime`: the median
  and the fastest time per image and the device that computed them;
- :func:`compare_inference_times` does the same for several models with their calls
  interleaved, so that a change of the machine's load affects them all alike;
- :class:`ForwardTimer`, which both use, compiles a model, warms it up and times one call;
- :func:`device_name` names a TensorFlow device in words ("CPU: AMD EPYC (2 logical cores)",
  "GPU: NVIDIA H100 80GB HBM3").

Times are wall-clock times of one machine at one moment: other programs, the CPU's clock and
the first calls' set-up move them.  Compare models measured in the same run, and prefer ratios
to absolute times.
"""

import dataclasses
import os
import platform
import statistics
import time

import numpy as np
import tensorflow as tf

from cnnlib._validation import check_model, check_non_negative_int, check_positive_int

__all__ = [
    "ForwardTimer",
    "InferenceTime",
    "compare_inference_times",
    "device_name",
    "inference_time",
]


@dataclasses.dataclass(frozen=True)
class InferenceTime:
    """Timed forward passes of one model: ``call_seconds`` holds the wall time of each timed
    call of ``batch_size`` images; ``device`` names what computed them (:func:`device_name`)."""

    model_name: str
    batch_size: int
    call_seconds: tuple
    device: str

    @property
    def median_seconds(self):
        """Median time per image, in seconds (the median call divided by ``batch_size``)."""
        return statistics.median(self.call_seconds) / self.batch_size

    @property
    def min_seconds(self):
        """Fastest time per image, in seconds: the least disturbed call, divided by
        ``batch_size``."""
        return min(self.call_seconds) / self.batch_size

    @property
    def images_per_second(self):
        """Throughput at the median call: ``1 / median_seconds``."""
        return 1 / self.median_seconds

    def __str__(self):
        return (f"{self.model_name}: {self.median_seconds * 1e3:.3g} ms per image (median of "
                f"{len(self.call_seconds)} calls at batch {self.batch_size}; fastest "
                f"{self.min_seconds * 1e3:.3g} ms) on {self.device}")


def _cpu_model():
    """The processor's model name, e.g. "AMD EPYC 7B13", or the architecture if unknown."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown processor"


def device_name(device=None):
    """Name the TensorFlow device ``device`` in words.

    ``device`` is a device string such as ``"/job:localhost/replica:0/task:0/device:GPU:0"``
    (what ``tensor.device`` holds) or ``"GPU:0"``; by default, the device where TensorFlow
    places operations (the first GPU if there is one).  A GPU gets the name its driver reports
    ("GPU: NVIDIA H100 80GB HBM3"), the CPU its model and logical cores ("CPU: AMD EPYC (2
    logical cores)").
    """
    if device is None:
        device = "GPU:0" if tf.config.list_physical_devices("GPU") else "CPU:0"
    if not isinstance(device, str):
        raise TypeError(f"device must be a device string such as 'GPU:0', got "
                        f"{type(device).__name__} {device!r}")
    try:
        spec = tf.DeviceSpec.from_string(device if device.startswith("/") else
                                         f"/device:{device}")
    except ValueError:
        raise ValueError(f"device must be a device string such as 'CPU:0', 'GPU:0' or "
                         f"'/job:localhost/replica:0/task:0/device:GPU:0', got {device!r}"
                         ) from None
    kind = (spec.device_type or "").upper()
    index = spec.device_index or 0
    devices = tf.config.list_physical_devices(kind) if kind else []
    if kind == "CPU" and index >= len(devices):  # virtual CPUs, as tf.distribute tests make
        devices = tf.config.list_logical_devices("CPU")
    if not devices or not 0 <= index < len(devices):
        raise ValueError(f"device {device!r} is not a device of this machine; it has "
                         f"{[d.name for d in tf.config.list_physical_devices()]}")
    if kind == "CPU":
        return f"CPU: {_cpu_model()} ({os.cpu_count()} logical cores)"
    details = tf.config.experimental.get_device_details(devices[index])
    return f"{kind}: {details.get('device_name', devices[index].name)}"


def _random_inputs(model, batch_size, seed):
    """One random batch per model input, with the input's dtype; fails on unknown sizes."""
    rng = np.random.default_rng(seed)
    batches = []
    for tensor in model.inputs:
        shape = tuple(tensor.shape[1:])
        if any(n is None for n in shape):
            raise ValueError(
                f"model {model.name!r} has an input of unknown size {(None, *shape)}: "
                "inference_time needs a fixed input size; build the model with a full "
                "input_shape, e.g. input_shape=(224, 224, 3)"
            )
        dtype = tf.dtypes.as_dtype(tensor.dtype)
        values = (rng.standard_normal((batch_size, *shape)) if dtype.is_floating
                  else np.zeros((batch_size, *shape)))  # e.g. token ids: 0 is always valid
        # tf.identity copies the batch to the default device (the GPU if there is one) once,
        # so that the timed calls do not include the transfer.
        batches.append(tf.identity(tf.constant(values, dtype=tensor.dtype)))
    return batches[0] if len(batches) == 1 else batches


def _wait_for(outputs):
    """Block until ``outputs`` are computed (a GPU runs asynchronously): copy them to NumPy."""
    return [tensor.numpy() for tensor in tf.nest.flatten(outputs)]


class ForwardTimer:
    """A model compiled and warmed up on a random batch, ready to be timed call by call.

    ``model(x, training=False)`` runs inside a ``tf.function``: the first call traces it into a
    graph (seconds for a deep network), then ``warmup`` more calls let TensorFlow allocate its
    memory and pick its kernels; none of them is timed.  The batch holds ``batch_size`` random
    examples of each input's shape and dtype, drawn with ``seed`` and placed once on the device
    that will use them.  ``time_call()`` returns the seconds of one more call, waited for until
    its outputs are ready; ``device`` names the device that computes them.
    """

    def __init__(self, model, batch_size=1, warmup=2, seed=0):
        check_model(model, needs_inputs=True)
        batch_size = check_positive_int("batch_size", batch_size)
        warmup = check_non_negative_int("warmup", warmup)
        seed = check_non_negative_int("seed", seed)
        self.model_name = model.name
        self.batch_size = batch_size
        self._inputs = _random_inputs(model, batch_size, seed)

        @tf.function(autograph=False)  # plain Python control flow: nothing for AutoGraph to do
        def forward(x):
            return model(x, training=False)  # inference: dropout off, batch norm's averages

        self._forward = forward
        outputs = forward(self._inputs)  # traces the graph
        for _ in range(warmup):
            outputs = forward(self._inputs)
        _wait_for(outputs)
        self.device = device_name(tf.nest.flatten(outputs)[0].device)

    def time_call(self):
        """Seconds of one call on the whole batch, until its outputs are ready."""
        start = time.perf_counter()
        _wait_for(self._forward(self._inputs))
        return time.perf_counter() - start


def inference_time(model, batch_size=1, repeats=10, warmup=2, seed=0):
    """Time the forward pass of ``model`` in inference mode on a random batch.

    A :class:`ForwardTimer` compiles the model and warms it up on ``batch_size`` random examples
    (drawn with ``seed``) without timing, then ``repeats`` calls are timed one by one, each
    until its outputs are ready.  Dropout is off and batch normalisation uses its moving
    averages, which the calls leave unchanged.

    Returns an :class:`InferenceTime`: ``median_seconds`` and ``min_seconds`` per image,
    ``call_seconds`` of every timed call and the ``device`` that ran them.  To compare several
    models on a machine whose load may change, use :func:`compare_inference_times`.

    >>> result = inference_time(cnnlib.models.resnet50(), repeats=5)   # doctest: +SKIP
    >>> print(result)                                                  # doctest: +SKIP
    resnet50: 152 ms per image (median of 5 calls at batch 1; fastest 148 ms) on CPU: ...
    """
    repeats = check_positive_int("repeats", repeats)
    timer = ForwardTimer(model, batch_size, warmup, seed)
    call_seconds = tuple(timer.time_call() for _ in range(repeats))
    return InferenceTime(timer.model_name, timer.batch_size, call_seconds, timer.device)


def compare_inference_times(models, batch_size=1, repeats=10, warmup=2, seed=0):
    """Time several models as :func:`inference_time` does, with their calls interleaved.

    ``models`` is a dict ``{name: model}`` (or a list of models, named by ``model.name``).
    Every model is first compiled and warmed up; then ``repeats`` rounds each time one call of
    every model in turn.  Other programs that start or stop during the measurement then slow
    all the models alike instead of the few that happened to run at that moment, so the
    comparison stays fair on a shared machine.  All the models must fit in memory at once.

    Returns ``{name: InferenceTime}`` in the order of ``models``, each result named ``name``.

    >>> nets = {"ResNet-18": cnnlib.models.resnet18(), "VGG-16": cnnlib.models.vgg16()}
    >>> times = compare_inference_times(nets, repeats=5)           # doctest: +SKIP
    >>> times["VGG-16"].min_seconds / times["ResNet-18"].min_seconds   # doctest: +SKIP
    7.8
    """
    if isinstance(models, list | tuple):
        named = {}
        for index, model in enumerate(models):
            check_model(model, f"models[{index}]", needs_inputs=True)
            if model.name in named:
                raise ValueError(f"models holds two models named {model.name!r}: pass a dict "
                                 "{name: model} to name them")
            named[model.name] = model
        models = named
    elif isinstance(models, dict):
        for name, model in models.items():
            if not isinstance(name, str):
                raise TypeError(f"models must be keyed by names (str), got the key {name!r}")
            check_model(model, f"models[{name!r}]", needs_inputs=True)
    else:
        raise TypeError(f"models must be a dict {{name: model}} or a list of Keras models, got "
                        f"{type(models).__name__}")
    if not models:
        raise ValueError("models must hold at least one model, got none")
    repeats = check_positive_int("repeats", repeats)
    batch_size = check_positive_int("batch_size", batch_size)
    warmup, seed = check_non_negative_int("warmup", warmup), check_non_negative_int("seed", seed)
    timers = {name: ForwardTimer(model, batch_size, warmup, seed)
              for name, model in models.items()}
    call_seconds = {name: [] for name in timers}
    for _ in range(repeats):
        for name, timer in timers.items():
            call_seconds[name].append(timer.time_call())
    return {name: InferenceTime(name, batch_size, tuple(call_seconds[name]), timer.device)
            for name, timer in timers.items()}
