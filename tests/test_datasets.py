"""Every dataset: shapes, determinism, label balance, and what makes it that dataset."""
import numpy as np
import pytest

from experiments.datasets import DATASETS, load_dataset


@pytest.mark.parametrize("name", list(DATASETS))
def test_shapes_metadata_and_determinism(name):
    info, data = DATASETS[name], load_dataset(name)
    assert data.X_train.shape[1] == data.X_test.shape[1] == info.n_features == data.n_features
    assert len(data.X_train) == len(data.y_train) and len(data.X_test) == len(data.y_test)
    assert set(np.unique(data.y_train)) == set(range(info.n_classes)) == set(range(data.n_classes))
    assert np.isfinite(data.X_train).all() and np.isfinite(data.X_test).all()
    assert data.is_2d == (info.n_features == 2)
    if info.image_shape:
        assert np.prod(info.image_shape) == info.n_features
    again = load_dataset(name)
    np.testing.assert_array_equal(again.X_train, data.X_train)
    np.testing.assert_array_equal(again.y_test, data.y_test)


@pytest.mark.parametrize("name", [n for n, info in DATASETS.items() if info.n_samples and n != "digits"])
def test_labels_are_balanced_and_seed_changes_data(name):
    data = load_dataset(name)
    y = np.concatenate([data.y_train, data.y_test])
    counts = np.bincount(y)
    assert counts.max() - counts.min() <= max(2, 0.15 * counts.mean())
    assert not np.array_equal(load_dataset(name, seed=1).X_train, data.X_train)


def test_default_sizes():
    assert (len(load_dataset("edge").y_train), len(load_dataset("edge").y_test)) == (200, 50)
    xor = load_dataset("xor")
    assert len(xor.y_train) + len(xor.y_test) == 1000
    digits = load_dataset("digits")
    assert len(digits.y_train) + len(digits.y_test) == 1797
    assert abs(len(digits.y_test) / 1797 - 0.25) < 0.01


def test_edge_patches_follow_the_recipe():
    data = load_dataset("edge", n_samples=400)
    patches = np.concatenate([data.X_train, data.X_test]).reshape(-1, 5, 5)
    labels = np.concatenate([data.y_train, data.y_test])
    assert np.all(patches == patches[:, :1, :])  # every row of a patch is the same: vertical structure
    for patch in patches[labels == 0]:  # edge: 0.1 then 0.9 from a column in 1..3
        row = patch[0]
        first_bright = int(np.argmax(row > 0.5))
        assert 1 <= first_bright <= 3
        np.testing.assert_allclose(row, np.where(np.arange(5) >= first_bright, 0.9, 0.1))
    flat = [p for p in patches[labels == 1] if np.ptp(p) == 0]
    steps = [p for p in patches[labels == 1] if np.ptp(p) > 0]
    assert flat and steps
    assert all(0.3 <= p[0, 0] <= 0.7 for p in flat)
    for patch in steps:
        np.testing.assert_allclose(patch[0], [0.9, 0.9, 0.1, 0.1, 0.1])


def test_xor_labels_are_same_sign():
    data = load_dataset("xor")
    np.testing.assert_array_equal(data.y_train, (data.X_train[:, 0] * data.X_train[:, 1] > 0).astype(int))
    assert 1.7 < data.X_train.std() < 2.3


def test_xor4_is_its_own_test_set():
    data = load_dataset("xor4")
    np.testing.assert_array_equal(data.X_train, data.X_test)
    np.testing.assert_array_equal(data.y_train, [0, 1, 1, 0])


def test_digits_are_standardised_with_training_statistics_only():
    data = load_dataset("digits")
    np.testing.assert_allclose(data.X_train.mean(axis=0), 0.0, atol=1e-12)
    assert not np.allclose(data.X_test.mean(axis=0), 0.0, atol=1e-3)


def test_lines_images():
    data = load_dataset("lines", noise=0.0)
    images = data.X_train.reshape(-1, 6, 6)
    for image, label in zip(images, data.y_train):
        if label == 0:
            assert image.sum(axis=1).max() == 6  # a full row
        elif label == 1:
            assert image.sum(axis=0).max() == 6  # a full column
        else:
            assert image[np.arange(6), np.arange(6)].sum() == 6


def test_options_apply():
    data = load_dataset("circles", n_samples=200, noise=0.0, test_fraction=0.5, seed=3)
    assert len(data.y_train) == len(data.y_test) == 100
    radii = np.hypot(*np.concatenate([data.X_train, data.X_test]).T)
    np.testing.assert_allclose(np.sort(np.unique(radii.round(6))), [0.5, 1.0])
    assert data.options == {"n_samples": 200, "noise": 0.0, "test_fraction": 0.5, "seed": 3}


@pytest.mark.parametrize("kwargs, message", [
    ({"name": "mnist"}, r"'dataset' must be one of \['circles', 'digits'"),
    ({"name": "edge", "n_samples": 3}, r"'n_samples' must be an integer between 8 and 100000; got 3"),
    ({"name": "digits", "n_samples": 5000}, r"between 8 and 1797"),
    ({"name": "edge", "noise": -1}, r"'noise' must be a finite number >= 0"),
    ({"name": "edge", "noise": float("nan")}, r"'noise' must be a finite number >= 0"),
    ({"name": "edge", "test_fraction": 0.0}, r"'test_fraction' must be in \[0.05, 0.9\]"),
    ({"name": "edge", "seed": -2}, r"'data seed' must be an integer >= 0"),
])
def test_bad_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        load_dataset(**kwargs)


@pytest.mark.parametrize("name", list(DATASETS))
def test_split_sizes_count_what_loading_gives(name):
    """The listing counts samples without making the data; the counts must be those of the real split."""
    info = DATASETS[name]
    options = [{}] if not info.n_samples else [{}, {"n_samples": 41, "test_fraction": 0.3},
                                                 {"n_samples": 250, "test_fraction": 0.5}]
    for option in options:
        sizes = info.split_sizes(**option)
        if sizes is None:
            assert name in ("xor", "xor4") or (name == "digits" and option), "sizes should be known"
            continue
        data = load_dataset(name, **option)
        assert sizes == (len(data.y_train), len(data.y_test)), option
