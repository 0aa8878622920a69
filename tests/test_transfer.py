"""cnnlib.transfer (notebook 17): class splits, few-label subsets, new heads, freezing,
parameter counts and pretrained weights that fail to download cleanly; bad input."""

import http.server
import threading

import keras
import numpy as np
import pytest
from built_models import weightless
from keras import layers

from cnnlib import transfer

# --- Class splits and subsets ---------------------------------------------------------------------


def test_select_classes_keeps_and_renumbers_in_the_order_given():
    x = np.arange(8)
    y = np.array([[5], [0], [7], [5], [9], [7], [1], [9]])  # CIFAR-10's (N, 1) labels
    xs, ys = transfer.select_classes(x, y, [9, 5, 7])
    assert xs.tolist() == [0, 2, 3, 4, 5, 7] and ys.tolist() == [1, 2, 1, 0, 2, 0]


def test_per_class_subset_draws_n_of_every_class_reproducibly():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, size=200)
    x = np.arange(200) * 10
    xs, ys = transfer.per_class_subset(x, y, 7, seed=3)
    assert np.bincount(ys).tolist() == [7, 7, 7, 7] and np.all(np.diff(xs) > 0)
    np.testing.assert_array_equal(y[xs // 10], ys)
    again, _ = transfer.per_class_subset(x, y, 7, seed=3)
    other, _ = transfer.per_class_subset(x, y, 7, seed=4)
    assert again.tolist() == xs.tolist() and other.tolist() != xs.tolist()
    everything, labels = transfer.per_class_subset(x, y, None)
    assert everything.tolist() == x.tolist() and labels.tolist() == y.tolist()


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: transfer.select_classes(np.zeros(3), [0, 1], [0]), ValueError, "same number"),
    (lambda: transfer.select_classes(np.zeros(2), [0.5, 1.0], [0]), TypeError, "y must be"),
    (lambda: transfer.select_classes(np.zeros(2), [[0, 1], [1, 0]], [0]), ValueError,
     "one integer label"),
    (lambda: transfer.select_classes(np.zeros(2), [0, 1], 0), TypeError, "classes must be a list"),
    (lambda: transfer.select_classes(np.zeros(2), [0, 1], [0, 0]), ValueError, "distinct"),
    (lambda: transfer.select_classes(np.zeros(2), [0, 1], []), ValueError, "non-empty"),
    (lambda: transfer.select_classes(np.zeros(2), [0, 1], [3]), ValueError, r"classes \[3\]"),
    (lambda: transfer.select_classes(np.zeros(2), [0, 1], [-1]), ValueError, r"classes\[0\]"),
    (lambda: transfer.per_class_subset(np.zeros(4), [0, 0, 0, 1], 2), ValueError,
     "smallest class"),
    (lambda: transfer.per_class_subset(np.zeros(4), [0, 0, 1, 1], 0), ValueError, "n must be"),
    (lambda: transfer.per_class_subset(np.zeros(4), [0, 0, 1, 1], 1.0), TypeError, "n must be"),
    (lambda: transfer.per_class_subset(np.zeros(4), [0, 0, 1, 1], 1, seed=-1), ValueError,
     "seed"),
])
def test_bad_subsets(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --- Heads, freezing and counts ------------------------------------------------------------------


def small_base(name="base"):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8, 8, 3))
    x = layers.Conv2D(4, 3, use_bias=False, name="conv1")(inputs)
    x = layers.BatchNormalization(name="bn1")(x)
    x = layers.ReLU(name="relu1")(x)
    x = layers.Conv2D(6, 3, use_bias=False, name="conv2")(x)
    x = layers.BatchNormalization(name="bn2")(x)
    return keras.Model(inputs, layers.ReLU(name="relu2")(x), name=name)


def test_trainable_counts_of_mobilenet_v2_are_the_published_ones():
    with weightless():  # the counts need no weights
        model = keras.applications.MobileNetV2(weights=None, include_top=False,
                                               input_shape=(224, 224, 3))
    assert transfer.trainable_counts(model) == (2_223_872, 2_257_984 - 2_223_872)
    model.trainable = False
    assert transfer.trainable_counts(model) == (0, 2_257_984)


def test_freeze_up_to_a_layer_keeps_batch_norm_frozen():
    base = small_base()
    trainable, frozen = transfer.freeze(base, "relu1")
    assert (trainable, frozen) == (3 * 3 * 4 * 6, 3 * 3 * 3 * 4 + 4 * 4 + 6 * 4)
    assert [la.name for la in base.layers if la.trainable] == ["conv2", "relu2"]
    assert transfer.freeze(base, "relu1", batch_norm_trainable=True) == (216 + 12, 108 + 16 + 12)
    assert transfer.freeze(base) == (0, 108 + 16 + 216 + 24)
    assert transfer.freeze(base, batch_norm_trainable=True)[0] == 0


def test_with_new_head_shares_the_base_and_outputs_logits():
    base = small_base()
    model = transfer.with_new_head(base, 5, dropout=0.0)
    assert model.output_shape == (None, 5)
    assert model.count_params() == base.count_params() + 6 * 5 + 5
    assert model.get_layer("base_inference").model is base
    assert transfer.with_new_head(base, 5, base_training=True).get_layer("base") is base


def test_training_false_at_construction_is_overridden_by_fit():
    """Why InferenceMode exists: Keras 3 hands fit's training=True to the layers of a
    functional model, whatever was written when it was built."""
    base = small_base()
    inputs = keras.Input((8, 8, 3))
    outputs = layers.Dense(2)(layers.GlobalAveragePooling2D()(base(inputs, training=False)))
    before = base.get_layer("bn1").moving_mean.numpy().copy()
    fit_briefly(keras.Model(inputs, outputs))
    assert not np.allclose(base.get_layer("bn1").moving_mean.numpy(), before)


def fit_briefly(model):
    model.compile(keras.optimizers.SGD(0.01), keras.losses.SparseCategoricalCrossentropy(
        from_logits=True))
    rng = np.random.default_rng(0)
    x = rng.normal(3.0, 2.0, size=(16, 8, 8, 3)).astype("float32")
    model.fit(x, rng.integers(0, 2, 16), epochs=1, batch_size=4, verbose=0)


@pytest.mark.parametrize("base_training", [False, True])
def test_batch_norm_statistics_move_only_in_training_mode(base_training):
    base = small_base()
    model = transfer.with_new_head(base, 2, base_training=base_training)
    before = base.get_layer("bn1").moving_mean.numpy().copy()
    kernel = base.get_layer("conv1").kernel.numpy().copy()
    fit_briefly(model)
    moved = not np.allclose(base.get_layer("bn1").moving_mean.numpy(), before)
    assert moved == base_training
    assert not np.allclose(base.get_layer("conv1").kernel.numpy(), kernel)  # fine-tuned


def test_a_frozen_base_keeps_its_statistics_even_in_training_mode():
    """Keras: trainable=False puts BatchNormalization in inference mode whatever `training`."""
    base = small_base()
    transfer.freeze(base)
    model = transfer.with_new_head(base, 2, base_training=True)
    before = [w.copy() for w in base.get_weights()]
    fit_briefly(model)
    for now, then in zip(base.get_weights(), before, strict=True):
        np.testing.assert_array_equal(now, then)


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda b: transfer.with_new_head("base", 2), TypeError, "base must be a Keras model"),
    (lambda b: transfer.with_new_head(b, 0), ValueError, "classes must be"),
    (lambda b: transfer.with_new_head(b, 2, dropout=1.5), ValueError, "dropout must be"),
    (lambda b: transfer.with_new_head(b, 2, base_training=None), TypeError, "base_training"),
    (lambda b: transfer.freeze(b, "conv9"), ValueError, "up_to must be the name of a layer"),
    (lambda b: transfer.freeze(b, batch_norm_trainable=1), TypeError, "batch_norm_trainable"),
    (lambda b: transfer.trainable_counts(None), TypeError, "model must be a Keras model"),
])
def test_bad_heads_and_freezing(call, error, match):
    with pytest.raises(error, match=match):
        call(small_base())


# --- Pretrained weights: cached the Keras way, never a partial file ------------------------------


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    return tmp_path


def cached_files(home):
    folder = home / "models"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


@pytest.fixture
def weights_server():
    """A web server on 127.0.0.1 that serves broken weight files: ``/half`` announces 1,000 bytes
    and breaks off after 16, ``/wrong`` sends a whole file with other bytes than expected."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"\x89HDF half a file" if self.path == "/half" else b"not the weights"
            self.send_response(200)
            self.send_header("Content-Length", "1000" if self.path == "/half" else str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    # shutdown() waits for the serving loop's next poll: every 0.05 s rather than 0.5 s
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def weights_factory(origin, home, file_hash=None):
    """A model factory that downloads its weights the way keras.applications does
    (``keras.utils.get_file`` into the cache's ``models`` folder)."""

    def tiny_net(weights, **kwargs):
        path = keras.utils.get_file("tiny_net_weights.weights.h5", origin=origin,
                                    file_hash=file_hash, cache_dir=str(home),
                                    cache_subdir="models")
        model = keras.Sequential([keras.Input((4,)), layers.Dense(2)])
        model.load_weights(path)
        return model

    return tiny_net


def test_a_download_that_breaks_off_leaves_no_partial_file(keras_home, weights_server):
    factory = weights_factory(f"{weights_server}/half", keras_home)
    model, reason = transfer.load_pretrained(factory, timeout=5)
    assert model is None and reason.startswith("tiny_net's ImageNet weights are not available")
    assert "URL fetch failure" in reason and "\n" not in reason
    assert cached_files(keras_home) == []


def test_a_corrupt_download_is_removed(keras_home, weights_server):
    """Keras raises on a wrong hash but keeps the file; load_pretrained removes it."""
    factory = weights_factory(f"{weights_server}/wrong", keras_home, file_hash="0" * 64)
    model, reason = transfer.load_pretrained(factory, timeout=5)
    assert model is None and "tiny_net" in reason and "hash" in reason
    assert cached_files(keras_home) == []


def test_an_unreachable_server_is_reported_in_one_line(keras_home, capsys):
    factory = weights_factory("http://127.0.0.1:9/no-such-weights/tiny.h5", keras_home)
    model, reason = transfer.load_pretrained(factory, timeout=5)
    assert model is None and "URL fetch failure" in reason
    assert "no-such-weights" not in reason  # URLs are shortened to their host
    assert capsys.readouterr().out == "" and cached_files(keras_home) == []


def test_files_already_in_the_cache_are_kept(keras_home, monkeypatch):
    (keras_home / "models").mkdir()
    (keras_home / "models" / "other_weights.h5").write_bytes(b"kept")

    def failing_factory(weights, **kwargs):
        (keras_home / "models" / "new_partial.h5").write_bytes(b"partial")
        raise OSError("disk full")

    model, reason = transfer.load_pretrained(failing_factory)
    assert model is None and reason == ("failing_factory's ImageNet weights are not available "
                                        "(disk full)")
    assert cached_files(keras_home) == ["other_weights.h5"]


def test_weights_that_load_are_returned(keras_home):
    def factory(weights, **kwargs):
        assert weights == "imagenet"
        return small_base(**kwargs)

    model, reason = transfer.load_pretrained(factory, name="pretrained")
    assert reason is None and model.name == "pretrained"


def test_bad_pretrained_arguments():
    with pytest.raises(TypeError, match="factory must be a function"):
        transfer.load_pretrained("VGG16")
    with pytest.raises(TypeError, match="sets weights='imagenet' itself"):
        transfer.load_pretrained(keras.applications.VGG16, weights=None)
    with pytest.raises(ValueError, match="timeout must be"):
        transfer.load_pretrained(keras.applications.VGG16, timeout=0)
