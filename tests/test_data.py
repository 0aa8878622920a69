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
    assert str(info) == (f"{name}: 12 training and 5 test images from the offline directory "
                         f"({name}.npz in CNNLIB_DATA_DIR)")
    assert info.location == str(offline / "offline" / f"{name}.npz")


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
    assert str(info).endswith("from the Keras cache ($KERAS_HOME/datasets/mnist.npz)")


@pytest.mark.parametrize(("location", "shown"), [
    ("{home}/.keras/datasets/mnist.npz", "~/.keras/datasets/mnist.npz"),
    ("{home}/data/cifar10.npz", "cifar10.npz in CNNLIB_DATA_DIR"),  # the offline directory first
    ("{home}/other/cifar10.npz", "~/other/cifar10.npz"),
    ("{elsewhere}/keras/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz",
     "$KERAS_HOME/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"),
    ("{elsewhere}/unknown/mnist.npz", "mnist.npz"),
    ("keras.datasets", "keras.datasets"),
])
def test_locations_are_shown_without_the_machines_folders(tmp_path, monkeypatch, location, shown):
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("CNNLIB_DATA_DIR", "~/data")
    monkeypatch.setenv("KERAS_HOME", str(elsewhere / "keras"))
    if location.startswith("{home}/.keras"):
        monkeypatch.delenv("KERAS_HOME")
    location = location.format(home=home, elsewhere=elsewhere)
    assert data._shown_location(location) == shown
    info = data.DataInfo("mnist", "Keras cache", location, 3, 1)
    assert str(info) == f"mnist: 3 training and 1 test images from the Keras cache ({shown})"


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


def test_a_directory_named_like_the_archive_is_reported_as_a_directory(offline):
    (offline / "offline" / "mnist.npz").mkdir()
    with pytest.raises(DatasetError) as raised:
        load_dataset("mnist")
    message = str(raised.value)
    assert "mnist.npz is a directory, not a dataset file" in message
    assert "does not exist" not in message


def test_an_archive_of_python_objects_says_what_to_do_not_how_to_unpickle(offline):
    arrays = make_arrays("mnist")
    arrays["y_train"] = np.array([{"label": 1}] * len(arrays["y_train"]), dtype=object)
    np.savez(offline / "offline" / "mnist.npz", **arrays)
    with pytest.raises(DatasetError) as raised:
        load_dataset("mnist")
    message = str(raised.value)
    assert "holds Python objects instead of plain arrays of numbers" in message
    assert "Replace it with a good copy" in message
    assert "allow_pickle" not in message


def keras_like_corrupt_cache(cached):
    """What keras.datasets does with a cached file that fails its checksum, offline: it says so
    on stdout, deletes the file, tries a download and fails."""
    def load_data():
        print("A local file was found, but it seems to be incomplete or outdated because the "
              "auto file hash does not match the original value of 731c so we will re-download "
              "the data.")
        cached.unlink()
        raise Exception("URL fetch failure on https://storage.googleapis.com/mnist.npz")
    return load_data


def test_a_corrupt_keras_cache_file_is_named_as_the_cause(offline, monkeypatch, capsys):
    import keras

    cached = offline / "keras" / "datasets" / "mnist.npz"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"not an archive")
    monkeypatch.setattr(keras.datasets.mnist, "load_data", keras_like_corrupt_cache(cached))
    with pytest.raises(DatasetError) as raised:
        load_dataset("mnist")
    message = str(raised.value)
    assert f"The Keras cache copy of mnist at {cached} is corrupt or incomplete" in message
    assert "does not match the checksum of the original" in message
    assert "Keras deleted it and tried to download a new copy, which failed" in message
    assert "could not be read" not in message
    assert capsys.readouterr().out == ""  # Keras's own messages do not reach the notebook


def test_an_unreadable_keras_cache_file_says_so(offline, monkeypatch):
    import keras

    cached = offline / "keras" / "datasets" / "mnist.npz"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"not an archive")

    def load_data():
        raise OSError("bad zip")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", load_data)
    with pytest.raises(DatasetError, match=r"mnist at .*mnist.npz could not be read \(OSError: "
                                           r"bad zip\)\. Delete it"):
        load_dataset("mnist")


def test_a_failed_download_leaves_no_empty_folders(offline, monkeypatch):
    import keras

    home = offline / "keras"

    def load_data():  # like keras.utils.get_file: make the cache folders, then fail
        (home / "datasets" / "fashion-mnist").mkdir(parents=True)
        raise Exception("URL fetch failure")

    monkeypatch.setattr(keras.datasets.fashion_mnist, "load_data", load_data)
    with pytest.raises(DatasetError, match="the download failed"):
        load_dataset("fashion_mnist")
    assert not (home / "datasets").exists()

    kept = home / "datasets" / "mine"  # folders that were there before are left alone
    kept.mkdir(parents=True)
    with pytest.raises(DatasetError, match="the download failed"):
        load_dataset("fashion_mnist")
    assert sorted(p.name for p in (home / "datasets").iterdir()) == ["mine"]


def test_the_keras_home_is_found_without_private_keras_modules(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert data._keras_home() == tmp_path
    monkeypatch.delenv("KERAS_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "me"))
    assert data._keras_home() == tmp_path / "me" / ".keras"


@pytest.mark.parametrize(("name", "error", "message"), [
    ("imagenet", ValueError, "name must be one of 'mnist', 'fashion_mnist', 'cifar10'"),
    ("MNIST", ValueError, "got 'MNIST'"),
    (10, TypeError, r"name must be one of 'mnist', 'fashion_mnist', 'cifar10', got 10 \(int\)"),
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
