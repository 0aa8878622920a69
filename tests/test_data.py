"""cnnlib.data: every source (offline directory, Keras cache, download) and every bad input."""

import numpy as np
import pytest

from cnnlib import data
from cnnlib.data import DatasetError, load_dataset

SHAPES = {"mnist": ((28, 28), ()), "fashion_mnist": ((28, 28), ()), "cifar10": ((32, 32, 3), (1,))}


def make_arrays(name, n_train=12, n_test=5, seed=0):
    rng = np.random.default_rng(seed)
    image, label = SHAPES[name]
    return {
        "x_train": rng.integers(0, 256, (n_train, *image), dtype=np.uint8),
        "y_train": rng.integers(0, 10, (n_train, *label)).astype(np.uint8),
        "x_test": rng.integers(0, 256, (n_test, *image), dtype=np.uint8),
        "y_test": rng.integers(0, 10, (n_test, *label)).astype(np.uint8),
    }


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """An empty offline directory, an empty Keras home, and downloads that fail (no internet)."""
    monkeypatch.setenv("CNNLIB_DATA_DIR", str(tmp_path / "offline"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    (tmp_path / "offline").mkdir()

    def no_internet():
        raise OSError("URL fetch failure: no internet")

    import keras

    for name in SHAPES:
        monkeypatch.setattr(getattr(keras.datasets, name), "load_data", no_internet)
    return tmp_path


@pytest.mark.parametrize("name", list(SHAPES))
def test_offline_directory(offline, name):
    arrays = make_arrays(name)
    np.savez_compressed(offline / "offline" / f"{name}.npz", **arrays)
    (x_train, y_train), (x_test, y_test), info = load_dataset(name, return_info=True)
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    np.testing.assert_array_equal(y_test, arrays["y_test"])
    assert (info.source, info.n_train, info.n_test) == ("offline directory", 12, 5)
    assert str(info).startswith(f"{name}: 12 training and 5 test images from the offline directory")


def test_keras_cache_is_used_before_download(offline, monkeypatch):
    import keras

    arrays = make_arrays("mnist")
    cache = offline / "keras" / "datasets"
    cache.mkdir(parents=True)
    (cache / "mnist.npz").write_bytes(b"stands for the cached archive")
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: (
        (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])))
    *_, info = load_dataset("mnist", return_info=True)
    assert info.source == "Keras cache"
    assert info.location == str(cache / "mnist.npz")


@pytest.mark.parametrize("name", list(SHAPES))
def test_cache_layouts_are_recognised(offline, name):
    assert data._cached_file(name) is None
    cache = offline / "keras" / "datasets"
    for file in data._SPECS[name][2][0]:
        (cache / file).parent.mkdir(parents=True, exist_ok=True)
        (cache / file).write_bytes(b"")
    assert data._cached_file(name) == cache / data._SPECS[name][2][0][0]


def test_download_is_last_and_quiet(offline, monkeypatch, capsys):
    import keras

    arrays = make_arrays("cifar10")

    def download():
        print("1/1 ━━━━━━━━ progress bar")
        return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])

    monkeypatch.setattr(keras.datasets.cifar10, "load_data", download)
    *_, info = load_dataset("cifar10", return_info=True)
    assert info.source == "download"
    assert capsys.readouterr().out == "Downloading cifar10 through keras.datasets ...\n"


def test_no_source_says_what_to_do(offline):
    with pytest.raises(DatasetError, match="set CNNLIB_DATA_DIR to a folder holding mnist.npz"):
        load_dataset("mnist")


def test_missing_directory(offline, monkeypatch):
    monkeypatch.setenv("CNNLIB_DATA_DIR", str(offline / "nowhere"))
    with pytest.raises(DatasetError, match="which is not a directory"):
        load_dataset("mnist")


def test_wrong_keys(offline):
    arrays = make_arrays("mnist")
    arrays["images"] = arrays.pop("x_train")
    np.savez(offline / "offline" / "mnist.npz", **arrays)
    with pytest.raises(DatasetError, match="lacks the array.*x_train"):
        load_dataset("mnist")


@pytest.mark.parametrize(("key", "value", "message"), [
    ("x_train", np.zeros((12, 28, 27), np.uint8), r"x_train must have shape \(n, 28, 28\)"),
    ("x_test", np.zeros((5, 28, 28), np.float32), "x_test must be a uint8 array"),
    ("y_train", np.zeros((11,), np.uint8), r"y_train must have shape \(12,\)"),
    ("y_test", np.full((5,), 10, np.int64), r"labels must lie in 0..9"),
])
def test_wrong_shapes_dtypes_labels(offline, key, value, message):
    arrays = make_arrays("mnist")
    arrays[key] = value
    np.savez(offline / "offline" / "mnist.npz", **arrays)
    with pytest.raises(DatasetError, match=message):
        load_dataset("mnist")


def test_cifar_labels_keep_keras_shape(offline):
    arrays = make_arrays("cifar10")
    arrays["y_train"] = arrays["y_train"].ravel()
    np.savez(offline / "offline" / "cifar10.npz", **arrays)
    with pytest.raises(DatasetError, match=r"y_train must have shape \(12, 1\)"):
        load_dataset("cifar10")


def test_truncated_file_is_reported_not_replaced(offline):
    path = offline / "offline" / "fashion_mnist.npz"
    np.savez_compressed(path, **make_arrays("fashion_mnist", n_train=200))
    content = path.read_bytes()
    path.write_bytes(content[: len(content) // 2])
    with pytest.raises(DatasetError, match="corrupt or truncated"):
        load_dataset("fashion_mnist")
    assert path.read_bytes() == content[: len(content) // 2]


@pytest.mark.parametrize(("name", "error", "message"), [
    ("imagenet", ValueError, "name must be one of 'mnist', 'fashion_mnist', 'cifar10'"),
    ("MNIST", ValueError, "got 'MNIST'"),
    (10, TypeError, "name must be a string, got int 10"),
])
def test_unknown_name(name, error, message):
    with pytest.raises(error, match=message):
        load_dataset(name)


def test_return_info_must_be_bool():
    with pytest.raises(TypeError, match="return_info"):
        load_dataset("mnist", return_info="yes")


def test_class_names():
    assert data.class_names("cifar10")[3] == "cat"
    assert data.class_names("fashion_mnist")[9] == "Ankle boot"
    assert data.dataset_names() == ["mnist", "fashion_mnist", "cifar10"]


def test_shared_offline_copies_load(shared_data_dir, monkeypatch):
    monkeypatch.setenv("CNNLIB_DATA_DIR", str(shared_data_dir))
    for name, n_train in (("mnist", 14_262), ("fashion_mnist", 7_000), ("cifar10", 4_660)):
        (x_train, y_train), _, info = load_dataset(name, return_info=True)
        assert info.source == "offline directory"
        assert info.n_train == n_train == len(y_train)
