"""experiments.grids: the plane of a panel and a network's answer over it as bytes (what the workers and the
server send the browser's canvas renderer)."""
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

import nn
from experiments.datasets import load_dataset
from experiments.grids import GRID_RESOLUTION, Plane, dataset_plane, grid_bytes, probability_grid, quantise

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def trained(dataset, layers, epochs=30):
    data = load_dataset(dataset)
    net = nn.Network(layers, activation="tanh", seed=0)
    nn.fit(net, data.X_train, data.y_train, epochs=epochs, batch_size=32, optimizer=nn.SGD(lr=0.1), seed=0)
    return data, net


def expected_binary(net, inputs):
    """P(class 1) x 255 rounded, written out here rather than taken from the module under test."""
    return np.rint(net.predict_proba(inputs)[:, 1] * 255).astype(np.uint8).tobytes()


def test_a_binary_grid_is_the_probability_of_class_one_to_the_byte():
    data, net = trained("circles", [2, 8, 2])
    inputs = dataset_plane(data).grid_inputs()
    grid = probability_grid(net, inputs, 2)
    assert len(grid) == GRID_RESOLUTION ** 2 == grid_bytes(2)
    assert grid == expected_binary(net, inputs)
    assert len(set(grid)) > 50  # the network learned something: many shades, not one


def test_the_grid_is_in_image_order_top_row_first():
    """Row 0 is the top of the picture (the largest y), each row left to right, as putImageData reads it."""
    plane = Plane(np.array([[0.0, 0.0], [1.0, 2.0]]), pad=0.0)
    inputs = plane.grid_inputs(3)
    np.testing.assert_allclose(inputs[0], [0.0, 2.0], atol=1e-6)  # top left
    np.testing.assert_allclose(inputs[2], [1.0, 2.0], atol=1e-6)  # top right
    np.testing.assert_allclose(inputs[6], [0.0, 0.0], atol=1e-6)  # bottom left
    assert plane.x_range == pytest.approx((0.0, 1.0), abs=1e-6) and plane.y_range == pytest.approx((0.0, 2.0), abs=1e-6)


def test_many_classes_send_the_predicted_class_then_its_confidence():
    data, net = trained("lines", [36, 8, 3], epochs=10)
    inputs = dataset_plane(data).grid_inputs(20)
    grid = np.frombuffer(probability_grid(net, inputs, 3), dtype=np.uint8)
    proba = net.predict_proba(inputs)
    assert len(grid) == 2 * 400 == grid_bytes(3, 20)
    np.testing.assert_array_equal(grid[:400], proba.argmax(axis=1))
    np.testing.assert_array_equal(grid[400:], np.rint(proba.max(axis=1) * 255))


def test_a_diverged_network_reads_unsure_not_garbage():
    proba = np.array([[np.nan, np.nan], [0.0, 1.0]])
    assert quantise(proba) == bytes([128, 255])
    assert quantise(np.array([[np.nan, np.nan, np.nan], [0.1, 0.7, 0.2]])) == bytes([0, 1, 0, 178])


def test_a_grid_of_the_wrong_number_of_classes_is_refused():
    data, net = trained("circles", [2, 4, 2], epochs=1)
    with pytest.raises(ValueError, match="predicts 2 classes; the grid was asked for 3"):
        probability_grid(net, dataset_plane(data).grid_inputs(4), 3)


def test_many_features_are_drawn_in_their_principal_plane():
    data = load_dataset("digits")
    plane = dataset_plane(data)
    assert plane.axis_names == ("PC 1", "PC 2") and plane.n_features == 64
    inputs = plane.grid_inputs(5)
    assert inputs.shape == (25, 64)
    np.testing.assert_allclose(plane.to_plane(inputs)[[0, 24]], [[plane.x_range[0], plane.y_range[1]],
                                                                [plane.x_range[1], plane.y_range[0]]], atol=1e-9)


WORKER = """
import os, pickle, sys
os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = "1"  # as a training worker runs
from experiments.grids import Plane, probability_grid
network, X_train, X_test = pickle.load(sys.stdin.buffer)
sys.stdout.buffer.write(probability_grid(network, Plane(X_train, X_test).grid_inputs(), 2))
"""


@pytest.mark.slow  # starts a process
def test_the_grid_a_worker_process_computes_equals_predict_proba_here():
    """A training worker (another process, NumPy only, one BLAS thread) computes the grid of the network it
    holds, over the plane it finds from the data it trains on; the server draws it as if it had computed it
    itself: the same bytes as predict_proba on the server's own grid, quantised."""
    data, net = trained("moons", [2, 16, 8, 2])
    done = subprocess.run([sys.executable, "-c", WORKER], input=pickle.dumps((net, data.X_train, data.X_test)),
                          capture_output=True, cwd=ROOT, check=True)
    assert done.stdout == expected_binary(net, dataset_plane(data).grid_inputs())
