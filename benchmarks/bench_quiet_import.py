"""Does ``import cnnlib`` keep TensorFlow at full speed while hiding its start-up lines?

    python benchmarks/bench_quiet_import.py      (or: make bench)

Trains a CIFAR ResNet-20 (``cnnlib.models.cifar_resnet(20)``, 0.27M parameters) on random
32x32x3 batches in fresh processes that start TensorFlow in different ways, interleaved over
several rounds, and prints the lines each start wrote to stderr and the median time per training
step, as ratios to ``import cnnlib`` measured in this one run. The easy fix for the start-up lines,
``TF_ENABLE_ONEDNN_OPTS=0``, switches oneDNN off; cnnlib captures the lines instead and turns
oneDNN on unless the variable is set. (TensorFlow turns oneDNN on by itself only on CPUs with
AVX-512 VNNI/BF16 or AMX: there the first two rows match; elsewhere cnnlib's start is faster.)
"""

import json
import os
import statistics
import subprocess
import sys

ROUNDS = 5
STEPS = 12
WORKER = r"""
import json, sys, time
exec(sys.argv[1])
import numpy as np, keras
from tensorflow.python.util import _pywrap_util_port

from cnnlib.models import cifar_resnet  # after the start-up above, so it changes nothing

keras.utils.set_random_seed(0)
model = cifar_resnet(20)
model.compile(keras.optimizers.SGD(0.1, momentum=0.9),
              "sparse_categorical_crossentropy")
rng = np.random.default_rng(0)
x = rng.normal(size=(64, 32, 32, 3)).astype("float32")
y = rng.integers(0, 10, 64)
for _ in range(3):
    model.train_on_batch(x, y)
times = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    model.train_on_batch(x, y)
    times.append(time.perf_counter() - start)
median = sorted(times)[len(times) // 2]
print(json.dumps({"step": median, "onednn": _pywrap_util_port.IsMklEnabled()}))
"""
VARIANTS = {
    "import cnnlib": ("import cnnlib", {}),
    "import tensorflow (as installed)": ("import tensorflow", {}),
    "TF_ENABLE_ONEDNN_OPTS=0 (the easy way)": ("import tensorflow", {"TF_ENABLE_ONEDNN_OPTS": "0"}),
}


def run(start_code, extra_env):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "CNNLIB_TF"))}
    env.update(extra_env)
    result = subprocess.run([sys.executable, "-c", WORKER, start_code, str(STEPS)], env=env,
                            capture_output=True, text=True, check=True)
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    return measured["step"], measured["onednn"], len(result.stderr.splitlines())


def main():
    steps = {name: [] for name in VARIANTS}
    details = {}
    for _ in range(ROUNDS):
        for name, (start_code, extra_env) in VARIANTS.items():
            step, onednn, stderr_lines = run(start_code, extra_env)
            steps[name].append(step)
            details[name] = (onednn, stderr_lines)
    base = statistics.median(steps["import cnnlib"])
    print(f"ResNet-20 training step, batch 64, median of {ROUNDS} processes x {STEPS} steps")
    print(f"{'start-up':40} {'stderr lines':>12} {'oneDNN':>7} {'ms/step':>8} {'time ratio':>10}")
    for name in VARIANTS:
        median = statistics.median(steps[name])
        onednn, stderr_lines = details[name]
        print(f"{name:40} {stderr_lines:12d} {str(onednn):>7} {median * 1e3:8.0f} "
              f"{median / base:10.2f}")
    print("time ratio: step time / step time after `import cnnlib` (1.00 = same speed)")


if __name__ == "__main__":
    main()
