"""What the class board page draws, without Streamlit (experiments/figures/board.py): the ranking table, the
leader beside another entry as canvas payloads, and Results.subset, which cuts one entry's runs out of a
stored comparison."""
import json

import numpy as np
import pytest

from experiments.datasets import DATASETS
from experiments.figures.board import (BOARD_PANEL_MIN, age, board_payloads, configuration_label, entry_id,
                                       entry_name, ranking_table)
from experiments.runner import run_grid
from experiments.specs import RunSpec
from experiments.store.boards import Entry, Rules, entry_runs

RULES = Rules("xor4", {}, 0, 30, (0, 1), 50, 100)
WIDE = {"architecture": "[25, 8, 2]", "activation": "tanh", "optimizer": "sgd", "lr": 0.5, "batch_size": None,
        "l2": 0.0}
NARROW = dict(WIDE, architecture="[25, 4, 2]", activation="relu")


@pytest.fixture(scope="module")
def comparison():
    """One stored-like comparison: two configurations on the board's seeds and one on another seed."""
    specs = [*RULES.specs(WIDE), *RULES.specs(NARROW), RunSpec(dataset="xor4", epochs=30, seed=5, lr=0.5)]
    return run_grid(specs, snapshots=5)


def entry(rank, nickname, configuration, accuracy, params, created=1000.0):
    return Entry(rank, nickname, configuration, "a" * 64, accuracy, params, created)


def test_an_entrys_results_are_its_runs_alone_with_their_networks_and_history(comparison):
    rows = entry_runs(RULES, WIDE, comparison.runs)
    part = comparison.subset(rows["run_id"], token="board:wide")
    assert list(part.runs["run_id"]) == list(rows["run_id"]) and part.token == "board:wide"
    assert set(part.history["run_id"]) == set(part.networks) == set(part.datasets) == set(rows["run_id"])
    assert set(part.snapshots) <= set(rows["run_id"]) and part.snapshots
    first = rows["run_id"].iloc[0]
    assert part.networks[first] is comparison.networks[first]  # shared, not copied
    assert np.array_equal(part.history.loc[part.history["run_id"] == first, "test_loss"],
                          comparison.history.loc[comparison.history["run_id"] == first, "test_loss"])
    assert len(comparison.runs) == 5  # the comparison itself is untouched


def test_the_ranking_table_keeps_nicknames_as_text_and_names_networks_as_they_run():
    hostile = "__bold__ <b>x</b> =1+1"
    entries = [entry(1, "ada", WIDE, 0.975, 42), entry(2, hostile, NARROW, 0.5, 22, created=940.0)]
    table = ranking_table(entries, DATASETS["xor4"], now=1000.0, mine={entry_id(entries[1])})
    assert list(table["nickname"]) == ["ada", hostile]
    assert list(table["network"]) == ["[2, 8, 2]", "[2, 4, 2]"]  # as run on 2 features and 2 classes
    assert list(table["test %"]) == [97.5, 50.0] and list(table["you"]) == ["", "you"]
    assert list(table["batch"]) == ["full", "full"] and list(table["posted"]) == ["just now", "1 min ago"]
    assert ranking_table([], DATASETS["xor4"], 0.0).empty


def test_words_for_a_configuration_and_a_time():
    assert configuration_label(WIDE, DATASETS["moons"]) == "[2, 8, 2] · tanh · sgd · lr 0.5 · full batch · L2 0"
    no_hidden = dict(WIDE, architecture="[25, 2]", activation="none", batch_size=16)
    assert configuration_label(no_hidden, DATASETS["moons"]) == "[2, 2] · sgd · lr 0.5 · batch 16 · L2 0"
    assert [age(s) for s in (5, 125, 7200, 3 * 86400)] == ["just now", "2 min ago", "2 h ago", "3 days ago"]
    assert entry_name(entry(3, "ada", WIDE, 0.5, 1)) == "3. ada"


def test_the_leader_and_another_entry_are_one_curves_payload_and_one_panels_payload(comparison):
    leader, other = entry(1, "ada", WIDE, 0.9, 42), entry(2, "<b>bob</b>", NARROW, 0.8, 22)
    named = [(entry_name(e), comparison.subset(entry_runs(RULES, e.configuration, comparison.runs)["run_id"],
                                                token=name)) for e, name in ((leader, "l"), (other, "o"))]
    curves, panels = board_payloads(named, "xor4")
    json.dumps(curves), json.dumps(panels)  # what the canvas renderer receives
    assert curves["view"] == "curves" and panels["view"] == "panels" and panels["panel_min"] == BOARD_PANEL_MIN
    assert [s["label"] for s in curves["series"]] == ["1. ada", "2. <b>bob</b>"]
    assert [s["seeds"] for s in curves["series"]] == [2, 2]  # the mean over the board's seeds
    assert [item["name"] for item in curves["legend"]] == ["1. ada", "2. <b>bob</b>"]
    colours = [s["color"] for s in curves["series"]]
    assert len(set(colours)) == 2
    [section] = panels["sections"]
    assert [p["title"] for p in section["panels"]] == [["1. ada", "seed 0"], ["2. <b>bob</b>", "seed 0"]]
    assert [p["color"] for p in section["panels"]] == colours  # each entry's colour in both charts
    assert all(p["grid"] for p in section["panels"]) and section["plane"]["classes"]
    assert curves["epochs"] == 30 and curves["id"] == "board:l|o"
