"""Issue 21's smaller holes, one by one, without Streamlit: a saved file, a link, a typed value or a call that
used to be accepted as something else, raise a library's error, or be dropped without a word. Each test
reproduces the hole; docs/input-notes.md says what a visitor now sees."""
import io

import numpy as np
import pandas as pd
import pytest

import nn
from experiments import figures
from experiments.cli import build_parser, main, specs_from_args
from experiments.datasets import csv_columns, dataset_from_csv
from experiments.results import results_from_csv
from experiments.runner import run_grid
from experiments.settings import AppSettings, parse_custom_lrs
from experiments.specs import expand_grid
from experiments.tables import read_csv


@pytest.fixture(scope="module")
def saved():
    """A small comparison as its runs.csv and history.csv would be saved: (runs, history) DataFrames read back
    from the CSV text, to be spoiled one cell at a time."""
    results = run_grid(expand_grid(datasets=["xor"], architectures=["[2, 8, 2]", "[2, 4, 4, 2]"], lrs=[0.3, 0.03],
                                   epochs=3))
    return (pd.read_csv(io.StringIO(results.runs_csv()), keep_default_na=False),
            pd.read_csv(io.StringIO(results.history_csv())))


def opened(runs, history=None):
    """results_from_csv of these tables, as an upload hands them over (bytes)."""
    return results_from_csv(runs.to_csv(index=False).encode(),
                            None if history is None else history.to_csv(index=False).encode())


# ----- calls with the wrong kind of argument -----
@pytest.mark.parametrize("argument", ["progress", "should_stop"])
def test_run_grid_says_progress_and_should_stop_must_be_callable(argument):
    with pytest.raises(ValueError, match=rf"'{argument}' must be a function \(or None\); got 5"):
        run_grid(expand_grid(datasets=["xor4"], architectures=["[2, 2]"], epochs=1), **{argument: 5})


def test_a_network_given_the_wrong_number_of_features_says_how_many_it_expects():
    with pytest.raises(ValueError, match=r"^'X' has 5 features but the network's input layer expects 2\.$"):
        nn.Network([2, 8, 2]).forward(np.zeros((3, 5)))
