"""Datasets of the course: MNIST, Fashion-MNIST and CIFAR-10 (course: notebook 00).

``load_dataset(name)`` returns the same arrays as ``keras.datasets.<name>.load_data()``:
``(x_train, y_train), (x_test, y_test)`` with ``uint8`` images and integer labels. It looks in
three places, in this order:

1. an **offline directory**, named by the environment variable ``CNNLIB_DATA_DIR``, holding
   ``<name>.npz`` archives with the arrays ``x_train, y_train, x_test, y_test``;
2. the **Keras cache** (``~/.keras/datasets`` or ``$KERAS_HOME/datasets``), filled by an earlier
   download;
3. a **download** through ``keras.datasets`` (needs internet).

Whatever the source, the arrays are validated (keys, shapes, dtypes, label range) before they are
returned, and :class:`DataInfo` says where they came from and how many examples they hold.
"""

import contextlib
import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cnnlib._validation import check_bool, check_choice

DATA_DIR_VARIABLE = "CNNLIB_DATA_DIR"

CLASS_NAMES = {
    "mnist": [str(digit) for digit in range(10)],
    "fashion_mnist": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                      "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
    "cifar10": ["airplane", "automobile", "bird", "cat", "deer",
                "dog", "frog", "horse", "ship", "truck"],
}

# image shape, label shape, files whose presence means that Keras has the dataset in its cache.
_SPECS = {
    "mnist": ((28, 28), (), [["mnist.npz"]]),
    "fashion_mnist": ((28, 28), (), [[
        "fashion-mnist/train-labels-idx1-ubyte.gz", "fashion-mnist/train-images-idx3-ubyte.gz",
        "fashion-mnist/t10k-labels-idx1-ubyte.gz", "fashion-mnist/t10k-images-idx3-ubyte.gz",
    ]]),
    "cifar10": ((32, 32, 3), (1,), [
        ["cifar-10-batches-py-target/cifar-10-batches-py/test_batch"],  # Keras >= 3.6
        ["cifar-10-batches-py/test_batch"],  # older Keras
    ]),
}
_KEYS = ("x_train", "y_train", "x_test", "y_test")


class DatasetError(RuntimeError):
    """A dataset could not be found, read or trusted; the message says what to do."""


@dataclass(frozen=True)
class DataInfo:
    """Where a dataset came from and how many examples it has."""

    name: str
    source: str  # "offline directory", "Keras cache" or "download"
    location: str
    n_train: int
    n_test: int

    def __str__(self):
        return (f"{self.name}: {self.n_train:,} training and {self.n_test:,} test images "
                f"from the {self.source} ({_shown_location(self.location)})")


def _shown_location(location):
    """A dataset's location as notebooks print it, without the machine's folders (committed
    outputs must not show them): ``mnist.npz in CNNLIB_DATA_DIR``,
    ``$KERAS_HOME/datasets/mnist.npz``, ``~/.keras/datasets/mnist.npz``, ``keras.datasets``.
    ``DataInfo.location`` keeps the full path."""
    path = Path(location)
    roots = [(offline_dir(), "{} in " + DATA_DIR_VARIABLE),
             (_keras_home() if os.environ.get("KERAS_HOME") else None, "$KERAS_HOME/{}"),
             (Path.home(), "~/{}")]
    for root, pattern in roots:
        if root is not None and path.is_absolute() and path.is_relative_to(root.absolute()):
            return pattern.format(path.relative_to(root.absolute()).as_posix())
    return path.name if path.is_absolute() else str(location)


def dataset_names():
    """The names that :func:`load_dataset` accepts."""
    return list(_SPECS)


def class_names(name):
    """Class names of a dataset, indexed by label."""
    return list(CLASS_NAMES[check_choice("name", name, _SPECS)])


def offline_dir():
    """The offline data directory from ``CNNLIB_DATA_DIR`` as a ``Path``, or None if unset."""
    value = os.environ.get(DATA_DIR_VARIABLE, "").strip()
    return Path(value).expanduser() if value else None


def data_dir_description():
    """One line for the environment report: which offline directory is used, if any."""
    directory = offline_dir()
    if directory is None:
        return f"{DATA_DIR_VARIABLE} not set: Keras cache, else download through keras.datasets"
    found = [name for name in _SPECS if (directory / f"{name}.npz").is_file()]
    return (f"offline directory set by {DATA_DIR_VARIABLE} "
            f"({', '.join(found) or 'no dataset files found'})")


def load_dataset(name, *, return_info=False):
    """Load ``"mnist"``, ``"fashion_mnist"`` or ``"cifar10"`` like ``keras.datasets``.

    Returns ``(x_train, y_train), (x_test, y_test)``; with ``return_info=True`` a third value
    follows, a :class:`DataInfo` to print in notebooks ("trained on 14,262 MNIST images"):
    ``(x_train, y_train), (x_test, y_test), info = load_dataset("mnist", return_info=True)``.
    Raises :class:`DatasetError` with instructions when no source has the dataset or when a file
    is corrupt; a corrupt offline file is reported, never silently replaced by a download.
    """
    name, return_info = check_choice("name", name, _SPECS), check_bool("return_info", return_info)
    arrays, source, location = _load_offline(name)
    if arrays is None:
        arrays, source, location = _load_through_keras(name)
    _validate(name, arrays, location)
    (x_train, y_train), (x_test, y_test) = arrays
    info = DataInfo(name, source, str(location), len(x_train), len(x_test))
    if return_info:
        return (x_train, y_train), (x_test, y_test), info
    return (x_train, y_train), (x_test, y_test)


def _load_offline(name):
    directory = offline_dir()
    if directory is None:
        return None, None, None
    if not directory.is_dir():
        raise DatasetError(
            f"{DATA_DIR_VARIABLE} is set to {str(directory)!r}, which is not a directory. "
            f"Point it at the folder that holds {name}.npz (see data/README.md), "
            f"or unset it to use the Keras cache or a download."
        )
    path = directory / f"{name}.npz"
    if path.exists() and not path.is_file():
        raise DatasetError(
            f"{path} is a directory, not a dataset file. Put the archive {name}.npz itself in "
            f"{directory} (see data/README.md), or remove the directory to use the Keras cache "
            f"or a download."
        )
    if not path.is_file():
        return None, None, None
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = [key for key in _KEYS if key not in archive.files]
            if missing:
                raise DatasetError(
                    f"{path} lacks the array(s) {', '.join(missing)} (it has "
                    f"{', '.join(archive.files) or 'none'}); a dataset archive needs "
                    f"{', '.join(_KEYS)}. Replace the file with a good copy (see data/README.md)."
                )
            arrays = {key: archive[key] for key in _KEYS}
    except DatasetError:
        raise
    except ValueError as error:
        if "allow_pickle" not in str(error):
            raise DatasetError(_corrupt_offline_file(path, error)) from None
        raise DatasetError(
            f"{path} holds Python objects instead of plain arrays of numbers: cnnlib does not "
            f"load those, since unpickling a file can run any code. Replace it with a good copy "
            f"(see data/README.md), or remove it to use the Keras cache or a download."
        ) from None
    except (OSError, EOFError, zipfile.BadZipFile) as error:
        raise DatasetError(_corrupt_offline_file(path, error)) from None
    return (((arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])),
            "offline directory", path)


def _corrupt_offline_file(path, error):
    return (f"{path} could not be read ({type(error).__name__}: {error}); the file is corrupt or "
            f"truncated. Replace it with a good copy (see data/README.md), or remove it to use "
            f"the Keras cache or a download.")


def _keras_home():
    """Keras's home folder: ``$KERAS_HOME``, else ``~/.keras`` (where Keras keeps its cache)."""
    return Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras").expanduser()


def _cached_file(name):
    cache = _keras_home() / "datasets"
    for files in _SPECS[name][2]:
        if all((cache / file).is_file() for file in files):
            return cache / files[0]
    return None


def _new_folders_removed(root, before):
    """Remove the empty folders under ``root`` (``root`` included) that are not in ``before``:
    a failed download leaves nothing behind."""
    if not root.is_dir():
        return
    for folder in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True) + [root]:
        if folder not in before and not any(folder.iterdir()):
            folder.rmdir()


def _load_through_keras(name):
    import keras

    loader = getattr(keras.datasets, name).load_data
    cache = _keras_home() / "datasets"
    before = set(cache.rglob("*")) | {cache} if cache.is_dir() else set()
    cached = _cached_file(name)
    if cached is None:
        print(f"Downloading {name} through keras.datasets ...", flush=True)
    said = io.StringIO()
    try:
        # Keras draws a progress bar and its own messages on stdout; keep notebook outputs clean.
        with contextlib.redirect_stdout(said):
            arrays = loader()
    except Exception as error:
        _new_folders_removed(cache, before)
        raise DatasetError(_load_failure(name, cached, error, said.getvalue())) from None
    if cached is not None:
        return arrays, "Keras cache", cached
    return arrays, "download", "keras.datasets"


def _load_failure(name, cached, error, keras_said):
    """What went wrong in a load through Keras, and what to do."""
    cause = f"{type(error).__name__}: {error}"
    offline = (f"set {DATA_DIR_VARIABLE} to a folder holding {name}.npz (see data/README.md)")
    if cached is not None and "hash does not match" in keras_said:
        fate = "Keras deleted it and" if not cached.exists() else "Keras"
        return (f"The Keras cache copy of {name} at {cached} is corrupt or incomplete: it does "
                f"not match the checksum of the original. {fate} tried to download a new copy, "
                f"which failed ({cause}). Connect to the internet and run again, or {offline}.")
    if cached is not None:
        return (f"The Keras cache copy of {name} at {cached} could not be read ({cause}). "
                f"Delete it so it is downloaded again, or {offline}.")
    where = offline_dir()
    tried = (f"{where / (name + '.npz')} does not exist" if where is not None
             else f"{DATA_DIR_VARIABLE} is not set")
    return (f"Could not load {name}: {tried}, the Keras cache ({_keras_home() / 'datasets'}) "
            f"does not have it, and the download failed ({cause}). Either {offline}, or "
            f"connect to the internet and run again.")


def _validate(name, arrays, location):
    image_shape, label_shape, _ = _SPECS[name]

    def fail(problem):
        raise DatasetError(
            f"{name} from {location} is not a valid dataset: {problem}. Replace the file with a "
            f"good copy (see data/README.md)."
        )

    try:
        (x_train, y_train), (x_test, y_test) = arrays
    except (TypeError, ValueError):
        fail("expected ((x_train, y_train), (x_test, y_test))")
    for split, x, y in (("train", x_train, y_train), ("test", x_test, y_test)):
        if not isinstance(x, np.ndarray) or x.dtype != np.uint8:
            fail(f"x_{split} must be a uint8 array, got {getattr(x, 'dtype', type(x).__name__)}")
        if x.ndim != 1 + len(image_shape) or x.shape[1:] != image_shape:
            fail(f"x_{split} must have shape (n, {', '.join(map(str, image_shape))}), "
                 f"got {x.shape}")
        if not isinstance(y, np.ndarray) or not np.issubdtype(y.dtype, np.integer):
            fail(f"y_{split} must be an integer array, got {getattr(y, 'dtype', type(y).__name__)}")
        if y.shape != (len(x), *label_shape):
            fail(f"y_{split} must have shape {(len(x), *label_shape)} to match x_{split}, "
                 f"got {y.shape}")
        if len(x) == 0:
            fail(f"x_{split} is empty")
        if y.min() < 0 or y.max() >= len(CLASS_NAMES[name]):
            fail(f"y_{split} labels must lie in 0..{len(CLASS_NAMES[name]) - 1}, "
                 f"got {y.min()}..{y.max()}")
