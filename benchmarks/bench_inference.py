"""Why does ``cnnlib.timing.inference_time`` time a ``tf.function``?  Four ways to run a model.

    python benchmarks/bench_inference.py [--model resnet18] [--rounds 10]      (or: make bench)

Runs one ImageNet-size network of ``cnnlib.models`` (ResNet-18 by default: 74 Keras layers and
1.8 billion multiply-adds) on one random image in four ways, after one untimed call of each:

- graph: ``model(x, training=False)`` inside a ``tf.function``, as ``inference_time`` does;
- predict_on_batch: Keras's own compiled prediction step, called on one batch;
- predict: ``model.predict(x, verbose=0)``, which also builds a dataset and iterates over it;
- eager: ``model(x, training=False)`` called directly, one TensorFlow operation at a time from
  Python.

The calls are interleaved, one of each per round, so that a change in the machine's load
affects all four alike; each line gives the median time per call and its ratio to the graph's,
measured in this run.  The per-call overhead that the ratios show is what ``inference_time``
avoids measuring: it belongs to the calling code, not to the network.
"""

import argparse
import statistics
import time

import numpy as np

from cnnlib import models, profile  # imports TensorFlow quietly


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="resnet18",
                        help="a builder of cnnlib.models, e.g. resnet18, alexnet, googlenet")
    parser.add_argument("--rounds", type=int, default=10, help="timed calls of each way")
    return parser.parse_args()


def main():
    import tensorflow as tf  # here, after cnnlib has imported it without its start-up lines

    args = parse_args()
    model = getattr(models, args.model)()
    x = tf.constant(np.random.default_rng(0).standard_normal((1, *model.input_shape[1:])),
                    dtype="float32")

    @tf.function(autograph=False)
    def graph(batch):
        return model(batch, training=False)

    ways = {
        "graph (tf.function)": lambda: graph(x).numpy(),
        "predict_on_batch": lambda: model.predict_on_batch(x),
        "predict": lambda: model.predict(x, verbose=0),
        "eager": lambda: model(x, training=False).numpy(),
    }
    for run in ways.values():  # traces, allocates, picks kernels
        run()
    seconds = {name: [] for name in ways}
    for _ in range(args.rounds):
        for name, run in ways.items():
            start = time.perf_counter()
            run()
            seconds[name].append(time.perf_counter() - start)

    medians = {name: statistics.median(times) for name, times in seconds.items()}
    print(f"{model.name}: {len(model.layers)} layers, {profile.count_macs(model) / 1e9:.2f} "
          f"billion multiply-adds, batch 1, median of {args.rounds} interleaved calls")
    for name, median in medians.items():
        ratio = median / medians["graph (tf.function)"]
        print(f"  {name:<22}{median * 1e3:8.1f} ms  {ratio:5.2f}")


if __name__ == "__main__":
    main()
