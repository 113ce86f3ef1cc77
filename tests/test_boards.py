"""Class boards on real databases: rules within the demo's caps, scores read from stored runs, the ranking,
one post per configuration and session, plain-text nicknames, the teacher's secret, expiry."""
import time
from dataclasses import replace
from types import SimpleNamespace

import pandas as pd
import pytest
from sqlalchemy import text

from experiments.limits import Limits
from experiments.runner import run_grid
from experiments.store import BoardRefused, ResultStore, store_key
from experiments.store.boards import CHOICES, clean_text, entry_runs, postable, score
from store_backends import store, store_url  # noqa: F401 - fixtures

RULES = dict(dataset="xor4", epochs=40, seeds=[0, 1], max_params=50)
WIDE = {"architecture": "[2, 8, 2]", "activation": "tanh", "lr": 0.5, "batch_size": None}
NARROW = {"architecture": "[2, 4, 2]", "activation": "tanh", "lr": 0.5, "batch_size": None}


def trained(store, board, *configurations):
    """Train the board's runs of ``configurations`` as one comparison, store it and return its key."""
    specs = [spec for configuration in configurations for spec in board.rules.specs(configuration)]
    key = store_key(specs, 0)
    store.put(key, run_grid(specs))
    return key


@pytest.fixture
def board(store):
    made, secret = store.boards.create("Week 3: XOR", **RULES)
    return SimpleNamespace(id=made.id, rules=made.rules, secret=secret)


def test_a_board_keeps_its_rules_and_only_a_hash_of_the_secret(store, board):
    again = store.boards.get(board.id)
    assert again.title == "Week 3: XOR" and again.rules.seeds == (0, 1) and again.rules.max_params == 50
    assert not again.closed and again.expires > time.time()
    dump = str(store._db.run(lambda conn: conn.execute(text("SELECT * FROM boards")).all()))
    assert board.secret not in dump and len(board.secret) >= 32
    assert store.boards.get("no-such-board") is None and store.boards.get("' OR 1=1 --") is None


def test_the_score_is_the_mean_test_accuracy_over_the_seeds_from_the_stored_runs(store, board):
    key = trained(store, board, WIDE)
    entry = store.boards.post(board.id, "ada", "session-1", key, WIDE)
    runs = store.runs(key)
    assert entry.test_acc == runs["test_acc"].mean() and entry.n_params == int(runs["n_params"][0])
    assert entry.rank == 1 and entry.nickname == "ada" and entry.comparison_key == key


def test_the_ranking_is_accuracy_then_fewer_parameters_then_earlier(store, board):
    key = trained(store, board, WIDE, NARROW)
    same_as_narrow = dict(NARROW, l2=0.0)
    store.boards.post(board.id, "first", "s1", key, WIDE)
    store.boards.post(board.id, "second", "s2", key, NARROW)
    store.boards.post(board.id, "third", "s3", key, same_as_narrow)  # the same scores as "second", posted later
    ranking = store.boards.ranking(board.id)
    scores = [(entry.test_acc, entry.n_params) for entry in ranking]
    expected = sorted(scores, key=lambda score: (-score[0], score[1]))
    assert scores == expected and [entry.rank for entry in ranking] == [1, 2, 3]
    assert [entry.nickname for entry in ranking].index("second") < [entry.nickname for entry in ranking].index("third")


def test_one_post_per_configuration_and_session(store, board):
    key = trained(store, board, WIDE, NARROW)
    store.boards.post(board.id, "ada", "session-1", key, WIDE)
    with pytest.raises(BoardRefused, match="already posted this configuration"):
        store.boards.post(board.id, "ada again", "session-1", key, dict(WIDE, architecture="2-8-2"))
    store.boards.post(board.id, "ada", "session-1", key, NARROW)  # another configuration
    store.boards.post(board.id, "grace", "session-2", key, WIDE)  # another session
    assert len(store.boards.ranking(board.id)) == 3


def test_a_score_cannot_come_from_anything_but_the_stored_runs(store, board):
    key = trained(store, board, WIDE)
    with pytest.raises(BoardRefused, match="not in the store"):
        store.boards.post(board.id, "eve", "s", "0" * 64, WIDE)
    with pytest.raises(BoardRefused, match="no run of this configuration"):
        store.boards.post(board.id, "eve", "s", key, NARROW)
    other = store.boards.create("Other", "xor4", epochs=41, seeds=[0, 1], max_params=50)[0]
    with pytest.raises(BoardRefused, match="no run of this configuration"):  # 40 epochs are not 41
        store.boards.post(other.id, "eve", "s", key, WIDE)
    assert store.boards.ranking(board.id) == []


def test_configurations_outside_the_rules_are_refused(store, board):
    with pytest.raises(BoardRefused, match=r"\[2, 16, 2\] has 82 parameters on xor4; this board allows at most 50"):
        board.rules.specs(dict(WIDE, architecture="[2, 16, 2]"))
    with pytest.raises(BoardRefused, match="this board fixes 'epochs'"):
        board.rules.specs(dict(WIDE, epochs=5))
    with pytest.raises(BoardRefused, match="activation"):
        board.rules.specs(dict(WIDE, activation="swish"))


def test_nicknames_and_titles_are_plain_text_of_at_most_40_characters(store, board):
    assert clean_text("  ada\u202e\x00\n  lovelace\u200b ", "nickname") == "ada lovelace"
    assert clean_text("<b>bold</b>", "nickname") == "<b>bold</b>"  # kept as text; the page escapes it
    for bad, message in [("", "empty"), ("\x00\x01\u200b ", "empty"), ("x" * 41, "41 characters"),
                         ("x" * 100_000, "at most 40"), (42, "must be text")]:
        with pytest.raises(BoardRefused, match=message):
            clean_text(bad, "nickname")
    key = trained(store, board, WIDE)
    entry = store.boards.post(board.id, "Robert'); DROP TABLE board_entries;--", "s", key, WIDE)
    assert entry.nickname == "Robert'); DROP TABLE board_entries;--"
    assert store.boards.ranking(board.id)[0].nickname == entry.nickname
    with pytest.raises(BoardRefused, match="title is 41 characters"):
        store.boards.create("t" * 41, **RULES)


def test_a_board_holds_a_bounded_number_of_entries(store):
    board, _ = store.boards.create("Small", max_entries=2, **RULES)
    key = trained(store, board, WIDE)
    store.boards.post(board.id, "a", "s1", key, WIDE)
    store.boards.post(board.id, "b", "s2", key, WIDE)
    with pytest.raises(BoardRefused, match=r"the board is full \(2 entries\)"):
        store.boards.post(board.id, "c", "s3", key, WIDE)


def test_the_rules_stay_within_the_demos_caps(store):
    limits = Limits(max_epochs=100, max_work=1e7)
    with pytest.raises(BoardRefused, match="'epochs' must be"):
        store.boards.create("Long", "xor4", epochs=500, limits=limits)
    with pytest.raises(BoardRefused, match="units of work"):
        store.boards.create("Big", "spiral", epochs=100, max_params=10_000, seeds=[0, 1, 2], limits=limits)
    with pytest.raises(BoardRefused, match="built-in dataset"):
        store.boards.create("Mine", "csv:my data")
    with pytest.raises(BoardRefused, match="1 to 10 seeds"):
        store.boards.create("Seeds", "xor4", seeds=range(11))
    with pytest.raises(BoardRefused, match="noise"):
        store.boards.create("Noise", "xor4", options={"noise": 0.1})
    with pytest.raises(BoardRefused, match=r"no network on lines has at most 1 parameter: the smallest, \[36, 3\] "
                                           r"without a hidden layer, has 111\. Allow at least 111\."):
        store.boards.create("Tiny", "lines", max_params=1)
    board, _ = store.boards.create("Spiral", "spiral", options={"n_samples": 200}, epochs=50, limits=limits,
                                   max_params=100)
    assert board.rules.options == {"n_samples": 200, "noise": 0.0, "test_fraction": 0.25}
    assert [spec.n_samples for spec in board.rules.specs({"architecture": "[2, 8, 2]"})] == [200, 200, 200]


def test_the_teacher_closes_clears_and_exports_with_the_secret(store, board):
    key = trained(store, board, WIDE)
    store.boards.post(board.id, "=HYPERLINK(\"x\")", "s1", key, WIDE)
    for action in (store.boards.close, store.boards.clear, store.boards.export):
        with pytest.raises(BoardRefused, match="secret does not match"):
            action(board.id, board.secret[:-1] + ("y" if board.secret.endswith("x") else "x"))  # one character off
        with pytest.raises(BoardRefused, match="secret does not match"):
            action(board.id, None)
    csv = store.boards.export(board.id, board.secret)
    table = pd.read_csv(pd.io.common.StringIO(csv))
    assert list(table["nickname"]) == ["'=HYPERLINK(\"x\")"]  # a spreadsheet will not run it
    assert table["comparison_key"][0] == key
    store.boards.close(board.id, board.secret)
    assert store.boards.get(board.id).closed
    with pytest.raises(BoardRefused, match="closed this board"):
        store.boards.post(board.id, "late", "s2", key, WIDE)
    assert store.boards.clear(board.id, board.secret) == 1 and store.boards.ranking(board.id) == []


def test_expired_boards_are_refused_and_pruned_and_until_then_keep_their_comparisons(store_url):
    store = ResultStore(store_url, max_bytes=1)  # every comparison is over budget: only boards keep them
    board, _ = store.boards.create("Short", hours=1, **RULES)
    key = store_key(board.rules.specs(WIDE), 0)
    results = run_grid(board.rules.specs(WIDE))
    store.max_bytes = 10**9
    store.put(key, results)
    store.boards.post(board.id, "ada", "s1", key, WIDE)
    store.max_bytes = 1
    assert store.prune() == [] and store.contains(key)  # on a live board: kept
    store._db.run(lambda conn: conn.execute(text("UPDATE boards SET expires = :now"), {"now": time.time() - 1}),
                  write=True)
    assert store.boards.get(board.id) is None and store.boards.ranking(board.id) == []
    with pytest.raises(BoardRefused, match="does not exist or has expired"):
        store.boards.post(board.id, "grace", "s2", key, WIDE)
    assert store.prune() == [key] and not store.contains(key)
    assert store._db.run(lambda conn: conn.execute(text("SELECT COUNT(*) FROM board_entries")).scalar_one()) == 0
    store.close()


# ----- what the app's board page asks (ui/pages/board.py) -----
def test_the_configurations_a_student_may_post_are_those_the_board_would_score(store, board):
    """From a comparison with a configuration over the cap, one on other epochs and two within the rules: the
    two, best first, with the score the post would give them."""
    within = [spec for configuration in (WIDE, NARROW) for spec in board.rules.specs(configuration)]
    over = [replace(spec, architecture="[2, 16, 2]") for spec in within[:2]]  # 82 parameters, over 50
    other_epochs = [replace(spec, epochs=41) for spec in within[:2]]
    runs = run_grid([*within, *over, *other_epochs]).runs
    found = postable(board.rules, runs)
    assert sorted(found, key=lambda item: (-item[1], item[2])) == found
    assert {item[0]["architecture"] for item in found} == {"[2, 8, 2]", "[2, 4, 2]"}
    for configuration, accuracy, params in found:
        assert (accuracy, params) == score(board.rules, configuration, runs)
        assert configuration["batch_size"] is None and set(configuration) == set(CHOICES)
    assert postable(board.rules, runs[runs["seed"] == 0]) == []  # seed 1 missing: nothing to post


def test_an_entrys_runs_are_its_configuration_on_the_boards_seeds_in_order(store, board):
    runs = run_grid([*board.rules.specs(NARROW), *reversed(board.rules.specs(WIDE))]).runs
    rows = entry_runs(board.rules, WIDE, runs)
    assert list(rows["seed"]) == [0, 1] and set(rows["architecture"]) == {"[2, 8, 2]"}
    with pytest.raises(BoardRefused, match="no run of this configuration with seed 0"):
        entry_runs(board.rules, dict(WIDE, lr=0.3), runs)


def test_is_teacher_is_true_only_for_the_boards_own_secret(store, board):
    assert store.boards.is_teacher(board.id, board.secret)
    other = store.boards.create("Other", **RULES)[0]
    for board_id, secret in [(board.id, board.secret[:-1] + "x"), (board.id, ""), (board.id, None), (board.id, 42),
                             (other.id, board.secret), ("' OR 1=1 --", board.secret), ("x" * 10_000, board.secret),
                             (None, board.secret)]:
        assert store.boards.is_teacher(board_id, secret) is False
