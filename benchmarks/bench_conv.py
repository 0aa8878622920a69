"""How fast is the im2col convolution?  Naive loops vs im2col vs tf.nn.conv2d on the CPU.

    python benchmarks/bench_conv.py [--threads N]      (or: make bench)

CS231n's convolution benchmark in NHWC: x (100, 31, 31, 3), w (3, 3, 3, 25), stride 2,
padding 1.  Times the forward pass and the backward pass (dx, dw, db for a given upstream
gradient) of CS231n's scalar loops, the library's naive and im2col versions and
``tf.nn.conv2d`` in float32 and float64, with :func:`cnnlib.reference.speed.compare_conv_speeds`,
the function that notebook 07 calls: it first checks that all of them compute the same numbers,
then takes the shortest of several runs after one warm-up run, the implementations taking turns.
The ratios are of times measured in this run.  By default every library uses one thread, so
that the ratios compare algorithms rather than how each library spreads work over the cores
(and stay steady on a machine whose cores are shared); ``--threads 0`` keeps the libraries'
own defaults.
"""

import argparse
import os


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1,
                        help="threads for NumPy's BLAS and TensorFlow (0: their defaults)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs for the fast ones")
    parser.add_argument("--loop-repeats", type=int, default=3, help="timed runs for the loops")
    parser.add_argument("--loop-examples", type=int, default=100,
                        help="examples the scalar loops run on (their time is scaled to 100)")
    return parser.parse_args()


ARGS = parse_args()
if ARGS.threads:  # before NumPy and TensorFlow start their thread pools
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(ARGS.threads)

import cnnlib  # noqa: E402, F401, I001  (first: it imports TensorFlow without its start-up lines)
import tensorflow as tf  # noqa: E402

from cnnlib.reference import speed  # noqa: E402

if ARGS.threads:
    tf.config.threading.set_intra_op_parallelism_threads(ARGS.threads)
    tf.config.threading.set_inter_op_parallelism_threads(ARGS.threads)


def main():
    speeds = speed.compare_conv_speeds(loop_examples=ARGS.loop_examples, repeats=ARGS.repeats,
                                       loop_repeats=ARGS.loop_repeats)
    assert max(speeds.errors.values()) < 1e-5, speeds.errors
    print(f"threads: {ARGS.threads or 'library defaults'}; {ARGS.loop_repeats} timed runs for "
          "the loops")
    print(speeds.table())
    print("max rel. error: of out, dx, dw and db against the naive version's")


if __name__ == "__main__":
    main()
