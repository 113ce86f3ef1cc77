"""The server-wide training pool: shared trainings, the queue, Stop, clean-up, the cache, thread limits."""
import gc
import os
from dataclasses import replace
import signal
import threading
import time

import numpy as np
import pandas as pd
import pytest

from experiments.datasets import Catalog
from experiments.own_data import dataset_from_csv
from experiments.pool import PoolBusy, ResultCache, TrainingPool, blas_threads, one_blas_thread, results_nbytes
from experiments.pool.job import Owner
from experiments.pool.reader import GONE_GRACE_SECONDS, OWNER_CHECK_SECONDS
from experiments.runner import run_grid
from experiments.specs import RunSpec, check_spec, expand_grid
from nn import Network

LONG = RunSpec("edge", "[25, 8, 2]", epochs=20000)  # many seconds: still training when a test looks


@pytest.fixture
def pool():
    pool = TrainingPool(workers=1).start()  # as the app starts it: workers ready
    yield pool
    pool.shutdown()


def wait_until(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.02)


def assert_same_results(a, b):
    columns = [column for column in a.runs.columns if column != "seconds"]
    pd.testing.assert_frame_equal(a.runs[columns], b.runs[columns])
    pd.testing.assert_frame_equal(a.history, b.history)
    assert sorted(a.networks) == sorted(b.networks)
    for run_id in a.networks:
        np.testing.assert_array_equal(a.networks[run_id].flat_params, b.networks[run_id].flat_params)
    assert sorted(a.snapshots) == sorted(b.snapshots)
    for run_id, saved in a.snapshots.items():
        assert [epoch for epoch, _ in saved] == [epoch for epoch, _ in b.snapshots[run_id]]
        for (_, params), (_, other) in zip(saved, b.snapshots[run_id]):
            np.testing.assert_array_equal(params, other)


@pytest.mark.slow
def test_results_are_bit_identical_to_run_grid_and_trained_with_one_blas_thread():
    specs = expand_grid(datasets=["edge", "xor"], architectures=["[25, 2]", "[25, 8, 2]"],
                        activations=["relu", "sigmoid"], lrs=[0.1, 0.5], seeds=[0, 1], epochs=8)
    pool = TrainingPool(workers=2)
    try:
        job = pool.submit(specs, snapshots=5)
        results = job.result(timeout=120)
        assert job.status == "done" and job.progress().done == len(specs) >= 16
        assert job.blas_threads == 1  # threadpoolctl, asked inside the training in the worker
        assert_same_results(results, run_grid(specs, snapshots=5))
        assert results.snapshots  # the lowest seed's runs kept their weights, as with run_grid
    finally:
        pool.shutdown()


def test_one_blas_thread_in_this_process():
    with one_blas_thread():
        assert blas_threads() == 1


@pytest.mark.slow
def test_identical_comparisons_from_two_sessions_are_trained_once(pool):
    specs = expand_grid(epochs=20)
    first, second = pool.submit(specs), pool.submit(list(specs))
    a, b = first.result(timeout=60), second.result(timeout=60)
    assert pool.stats["trained"] == 1 and pool.stats["shared"] == 1
    assert_same_results(a, b)
    assert a.networks[0] is not b.networks[0]  # each session draws with its own networks (kept buffers)
    assert a.token == b.token  # ... and the same numbers: a figure drawn for one serves the other
    third = pool.submit(expand_grid(epochs=20))  # a later visitor: from the cache, done at once
    assert third.status == "done" and third.ready() and third.eta_seconds() == 0.0
    assert_same_results(a, third.result(timeout=0))
    assert third.result(timeout=0).token == a.token
    assert pool.stats["trained"] == 1 and pool.stats["cached"] == 1
    assert pool.estimate_wait_seconds(specs) == 0.0


@pytest.mark.slow
def test_default_data_options_written_out_or_not_are_one_comparison(pool):
    """The app writes every data option out (300 samples, noise 0.1); the start-up training leaves them to
    the dataset's defaults. Both are the same comparison: trained once."""
    from experiments.datasets import DATASETS
    info = DATASETS["lines"]
    implicit = [RunSpec("lines", architecture, epochs=5) for architecture in ("[25, 2]", "[25, 8, 2]")]
    explicit = [replace(spec, n_samples=info.n_samples, noise=info.noise, test_fraction=info.test_fraction)
                for spec in implicit]
    assert implicit != explicit and expand_grid(datasets=["lines"], architectures=["[25, 2]"], epochs=5)[0] \
        == check_spec(explicit[0])  # a checked spec writes the defaults out
    first = pool.submit(implicit)
    second = pool.submit(explicit)
    assert pool.stats["trained"] == 1 and pool.stats["shared"] + pool.stats["cached"] == 1
    assert second.result(timeout=60).runs["test_acc"].tolist() == first.result(timeout=60).runs["test_acc"].tolist()
    assert pool.estimate_wait_seconds(explicit) == 0.0  # in the cache now, however it is written


@pytest.mark.slow
def test_a_second_submission_shows_its_queue_position_and_completes():
    pool = TrainingPool(workers=1, max_jobs=2).start()
    try:
        busy = pool.submit([LONG])
        alone = pool.estimate_wait_seconds(expand_grid(epochs=20))
        waiting = pool.submit(expand_grid(epochs=20))
        assert busy.queue_position() == 0 and busy.status == "running"
        assert waiting.status == "queued" and waiting.queue_position() == 1
        assert waiting.progress().queue_position == 1 and waiting.progress().done == 0
        assert waiting.eta_seconds() > busy.eta_seconds() > 0
        assert alone == pytest.approx(waiting.eta_seconds(), rel=0.2)  # the estimate before Run counts the queue
        with pytest.raises(PoolBusy, match="Try again"):
            pool.submit(expand_grid(epochs=21))
        busy.cancel()
        results = waiting.result(timeout=120)
        assert waiting.status == "done" and (results.runs["status"] == "ok").all() and len(results.runs) == 3
        assert busy.result(timeout=30).runs["status"].tolist() == ["stopped"]
    finally:
        pool.shutdown()


@pytest.mark.slow
def test_a_comparison_stopped_in_the_queue_never_trains(pool):
    busy, waiting = pool.submit([LONG]), pool.submit([RunSpec("xor", "[2, 8, 2]", epochs=20000)])
    assert waiting.queue_position() == 1
    waiting.cancel()
    assert waiting.status == "cancelled" and waiting.queue_position() == 0
    assert len(waiting.result(timeout=10).runs) == 0
    busy.cancel()
    assert busy.result(timeout=60).runs["status"].tolist() == ["stopped"]
    assert pool.stats["cancelled"] == 2 and pool.stats["trained"] == 2


@pytest.mark.slow
def test_stop_while_training_ends_it_early_and_keeps_the_epochs_run(pool):
    job = pool.submit([LONG])
    wait_until(lambda: job.progress().live)  # live metrics of the run in training
    live = job.progress().live[0]
    assert live["epoch"] >= 1 and 0.0 <= live["train_acc"] <= 1.0 and 0.0 <= live["test_acc"] <= 1.0
    curve = job.curves()[0]
    assert curve["epoch"][0] == 1 and len(curve["train_loss"]) == len(curve["test_loss"]) == len(curve["epoch"])
    assert "val_loss" not in curve and "val_acc" not in live  # the tables' names, not nn's
    job.cancel()
    results = job.result(timeout=60)
    run = results.runs.iloc[0]
    assert run["status"] == "stopped" and live["epoch"] <= run["epochs_run"] < LONG.epochs // 2
    assert len(results.history) == run["epochs_run"]


@pytest.mark.slow
def test_results_so_far_include_the_runs_in_training_and_the_workers_draw_their_grids(pool):
    """What the page draws live: runs in training have status "running" and their curves so far; the first
    seed's runs (one panel per configuration) have their boundary grid drawn by the worker that trains them,
    byte for byte the grid of their network at that epoch (issue 23)."""
    from experiments.grids import dataset_plane, probability_grid
    specs = [LONG, replace(LONG, seed=1), replace(LONG, architecture="[25, 4, 2]")]
    job = pool.submit(specs, snapshots=20)
    assert list(job.results_so_far().runs["status"]) == ["waiting"] * 3  # every run, before any starts
    wait_until(lambda: job.grids())
    grids, live = job.grids(), job.results_so_far()
    assert list(live.runs["status"]) == ["running", "running", "waiting"]  # one worker: the second group waits
    assert sorted(grids) == [0] and not live.networks  # the first seed is drawn, by the worker; no network here
    first = live.history[live.history["run_id"] == 0]
    assert len(first) >= 1 and live.runs.loc[0, "epochs_run"] == len(first)
    epoch, grid = grids[0]
    data = live.datasets[0]
    replay = run_grid([replace(LONG, epochs=epoch)]).networks[0]  # the same network, stopped at that epoch
    assert grid == probability_grid(replay, dataset_plane(data).grid_inputs(), data.n_classes)
    assert grid != probability_grid(Network([25, 8, 2], seed=0), dataset_plane(data).grid_inputs(), 2)  # it learns
    job.cancel()
    final = job.result(timeout=60)
    assert list(final.runs["status"]) == ["stopped", "stopped"]  # the waiting group never trained
    assert (final.runs["epochs_run"] >= live.runs["epochs_run"][:2]).all()


@pytest.mark.slow
def test_a_run_that_diverged_stops_growing_while_its_group_trains_on(pool):
    """Lockstep carries a diverged network along with its group; the live view shows it ended, with its
    curve cut where it diverged, while the other run goes on."""
    job = pool.submit([LONG, replace(LONG, lr=1e6)])
    wait_until(lambda: (job.results_so_far().runs["status"] == "diverged").any())
    wait_until(lambda: job.results_so_far().runs.loc[0, "epochs_run"] > 5)
    live = job.results_so_far()
    assert list(live.runs["status"]) == ["running", "diverged"]
    assert "diverged after epoch" in live.runs.loc[1, "message"]
    diverged = live.history[live.history["run_id"] == 1]
    assert len(diverged) < live.runs.loc[0, "epochs_run"] and np.isfinite(diverged["train_loss"]).all()
    job.cancel()
    final = job.result(timeout=60)
    assert list(final.runs["status"]) == ["stopped", "diverged"]


@pytest.mark.slow
def test_a_shared_training_goes_on_when_one_visitor_stops(pool):
    specs = expand_grid(architectures=["[25, 8, 2]", "[25, 16, 8, 2]"], epochs=300)
    leaving, staying = pool.submit(specs), pool.submit(specs)
    leaving.cancel()
    assert leaving.status == "cancelled" and leaving.ready()
    assert len(leaving.result(timeout=0).runs) < 2  # what had finished when they pressed Stop
    results = staying.result(timeout=120)
    assert staying.status == "done" and (results.runs["status"] == "ok").all()
    assert pool.stats["cancelled"] == 0


@pytest.mark.slow
def test_a_session_that_goes_away_frees_its_work(pool):
    def session():
        job = pool.submit([LONG])
        wait_until(lambda: job.progress().live)  # training in the worker; then the session ends

    session()
    gc.collect()
    wait_until(lambda: pool.stats["cancelled"] == 1 and not pool._queue)
    assert pool.submit(expand_grid(epochs=5)).result(timeout=60).runs["status"].eq("ok").all()


class Visitor:
    """A page's session as the pool sees it: there until ``leave()`` (a closed tab), back after ``come_back()``."""

    def __init__(self, session="a session", client=None):
        self.there = True
        self.owner = Owner(session=session, client=client, alive=lambda: self.there)

    def leave(self):
        self.there = False

    def come_back(self):
        self.there = True


@pytest.mark.slow
def test_a_comparison_whose_visitor_closed_the_tab_stops_within_seconds(pool):
    """Issue 21: the workers stayed busy for minutes after a tab closed. Now the training stops within the
    grace period and a check, and the worker is free for the next visitor."""
    visitor = Visitor()
    job = pool.submit([LONG], owner=visitor.owner)
    wait_until(lambda: job.progress().live)
    visitor.leave()
    left = time.monotonic()
    wait_until(lambda: pool.stats["released gone"] == 1 and not pool._queue, seconds=15)
    assert time.monotonic() - left < GONE_GRACE_SECONDS + 2 * OWNER_CHECK_SECONDS + 1
    assert job.result(timeout=10).runs["status"].tolist() == ["stopped"]
    nxt = pool.submit([replace(LONG, seed=7)])
    wait_until(lambda: nxt.progress().live)  # the worker trains the next visitor's comparison
    nxt.cancel()


@pytest.mark.slow
def test_a_page_that_reconnects_within_the_grace_period_keeps_its_training(pool):
    visitor = Visitor()
    job = pool.submit([LONG], owner=visitor.owner)
    wait_until(lambda: job.progress().live)
    visitor.leave()
    wait_until(lambda: job._training.gone)  # noticed as gone ...
    visitor.come_back()  # ... and back before the grace period ends
    wait_until(lambda: not job._training.gone, seconds=5)
    assert job.status == "running" and pool.stats["released gone"] == 0
    job.cancel()


@pytest.mark.slow
def test_work_whose_visitor_is_gone_never_reaches_a_worker(pool):
    busy = pool.submit([LONG])  # the only worker is taken
    wait_until(lambda: busy.progress().live)
    visitor = Visitor()
    queued = pool.submit([replace(LONG, seed=3)], owner=visitor.owner)
    visitor.leave()
    busy.cancel()  # the worker comes free while the queued comparison's visitor is gone
    wait_until(lambda: pool.stats["released gone"] == 1, seconds=15)
    assert queued.result(timeout=10).runs.empty  # dropped before any of its runs trained


@pytest.mark.slow
def test_one_address_cannot_fill_the_queue_but_a_shared_comparison_still_counts_once():
    """Issue 21: one client opened a tab, pressed Run and closed it 40 times. An address may have at most
    ``max_per_client`` comparisons waiting or training; other addresses are not held up by it."""
    pool = TrainingPool(workers=1, max_per_client=2)
    try:
        jobs = [pool.submit([replace(LONG, seed=seed)], owner=Visitor(f"tab {seed}", "10.0.0.9").owner)
                for seed in range(2)]
        with pytest.raises(PoolBusy, match="2 comparisons from your address are already waiting or training"):
            pool.submit([replace(LONG, seed=9)], owner=Visitor("tab 9", "10.0.0.9").owner)
        again = pool.submit([LONG], owner=Visitor("tab 10", "10.0.0.9").owner)  # the same as one of them: shared
        other = pool.submit([replace(LONG, seed=9)], owner=Visitor("elsewhere", "10.0.0.10").owner)
        assert again._training is jobs[0]._training and other.status in ("queued", "running")
        assert pool.stats["refused per client"] == 1
    finally:
        pool.shutdown()


@pytest.mark.slow
def test_a_session_has_one_comparison_at_a_time(pool):
    visitor = Visitor("one session")
    first = pool.submit([LONG], owner=visitor.owner)
    second = pool.submit([replace(LONG, seed=4)], owner=visitor.owner)  # e.g. a lesson pressed while training
    assert first.status == "cancelled" and second.status in ("queued", "running")
    wait_until(lambda: second.progress().live)
    second.cancel()


@pytest.mark.slow
def test_comparisons_on_own_data_are_never_shared(pool):
    rows = "\n".join(f"{x},{y},{int(x > y)}" for x, y in np.random.default_rng(0).normal(size=(60, 2)))
    data = dataset_from_csv(("a,b,label\n" + rows).encode(), "label", name="mine")
    specs = [RunSpec("csv:mine", "[2, 4, 2]", epochs=5)]
    first = pool.submit(specs, catalog=Catalog([data]))
    second = pool.submit(specs, catalog=Catalog([data]))
    first.result(timeout=60), second.result(timeout=60)
    pool.submit(specs, catalog=Catalog([data])).result(timeout=60)
    assert pool.stats["trained"] == 3 and pool.stats["shared"] == pool.stats["cached"] == 0
    assert len(pool.cache) == 0


@pytest.mark.slow
def test_a_worker_that_dies_records_its_runs_as_errors_and_the_pool_goes_on(pool):
    job = pool.submit([LONG])
    wait_until(lambda: job.progress().live)
    os.kill(pool._workers[0].process.pid, signal.SIGKILL)
    run = job.result(timeout=60).runs.iloc[0]
    assert run["status"] == "error" and "ended unexpectedly" in run["message"]
    assert pool.submit(expand_grid(epochs=5)).result(timeout=60).runs["status"].eq("ok").all()


@pytest.mark.slow
def test_bad_specs_are_refused_before_queueing(pool):
    with pytest.raises(ValueError, match="'specs' is empty"):
        pool.submit([])
    with pytest.raises(ValueError, match="activation"):
        pool.submit([RunSpec(activation="swish")])
    assert pool.stats["trained"] == 0


@pytest.mark.slow
def test_the_cache_is_bounded_by_entries_and_bytes():
    results = [run_grid(expand_grid(architectures=["[25, 8, 2]"], seeds=[seed], epochs=2)) for seed in range(4)]
    size = results_nbytes(results[0])
    assert size > results[0].networks[0].flat_params.nbytes + results[0].history.memory_usage().sum()
    cache = ResultCache(max_entries=2, max_bytes=10 * size)
    cache.put("pinned", results[0], pinned=True)
    cache.put("a", results[1])
    cache.put("b", results[2])
    assert "pinned" in cache and "a" not in cache and len(cache) == 2
    assert cache.get("b") is results[2]
    cache = ResultCache(max_entries=10, max_bytes=2.5 * size)
    for key, result in zip("abc", results):
        cache.put(key, result)
    assert len(cache) == 2 and "a" not in cache and cache.nbytes <= 2.5 * size
    assert not ResultCache(max_bytes=size / 2).put("big", results[0])


@pytest.mark.slow
def test_a_run_just_after_a_stop_trains_afresh(pool):
    """Someone stops a comparison and, before its runs have stopped, someone presses Run on the same one:
    they get a whole training, not the stopped one."""
    job = pool.submit([LONG])
    wait_until(lambda: job.progress().live)
    job.cancel()
    again = pool.submit([LONG])
    assert again.status in ("queued", "running") and again._training is not job._training
    assert job.result(timeout=60).runs["status"].tolist() == ["stopped"]
    wait_until(lambda: again.progress().live)
    again.cancel()


@pytest.mark.slow
def test_the_reader_survives_a_retried_group_and_a_message_it_cannot_handle():
    """A group that failed is retried run by run: its live curves start again with fewer columns. And a
    message that raises fails only its own comparison; the reader thread goes on."""
    from experiments.pool.job import Training
    from experiments.pool.worker import Worker
    from experiments.runner import GridTraining
    pool = TrainingPool(workers=1)
    grid = GridTraining(expand_grid(seeds=[0, 1, 2], architectures=["[25, 8, 2]"], epochs=3))
    training = Training(("key",), grid)
    worker = Worker(process=None, conn=None, stop=None, task=(training, 0))
    training.running[0] = worker
    pool._handle(worker, ("epochs", None, [0, 1, 2], np.array([1]), {"train_loss": np.zeros((1, 3))}), [])
    pool._handle(worker, ("epochs", None, [0], np.array([1]), {"train_loss": np.ones((1, 1))}), [])
    assert training.live[0][0] == [0] and training.live[0][2]["train_loss"].shape == (1, 1)
    finished = []
    pool._recover(worker, ("done", None, None, None), "TypeError: boom", finished)
    assert worker.task is None and finished == [training] and "boom" in training.error


# ----- the experiment store behind the memory cache (issue 25) -----
@pytest.mark.slow
def test_a_comparison_trained_before_a_restart_is_read_from_the_store_not_trained_again(tmp_path):
    """A server trains a comparison and stops; a new server on the same store shows it at once ("ready at
    once" under Run), bit for bit the same, without training it."""
    from experiments.store import ResultStore
    url = f"sqlite:///{tmp_path / 'results.sqlite'}"
    specs = expand_grid(datasets=["circles"], architectures=["[25, 8, 2]", "[25, 4, 2]"], seeds=[0, 1], epochs=6)
    first = TrainingPool(workers=1, store=ResultStore(url))
    try:
        trained = first.submit(specs, snapshots=5).result(timeout=120)
        assert first.stored.flush(timeout=60)
    finally:
        first.shutdown()
    again = TrainingPool(workers=1, store=ResultStore(url))  # after a restart: nothing in memory
    try:
        assert again.estimate_wait_seconds(specs, snapshots=5) == 0.0
        job = again.submit(specs, snapshots=5)
        assert job.ready() and job.from_cache and again.stats["stored"] == 1 and again.stats["trained"] == 0
        assert_same_results(job.result(timeout=0), trained)
    finally:
        again.shutdown()


@pytest.mark.slow
def test_a_visitors_own_data_never_reaches_the_store(tmp_path):
    from experiments.store import ResultStore
    store = ResultStore(f"sqlite:///{tmp_path / 'results.sqlite'}")
    rows = "\n".join(f"{x},{y},{int(x > y)}" for x, y in np.random.default_rng(0).normal(size=(60, 2)))
    data = dataset_from_csv(("a,b,label\n" + rows).encode(), "label", name="mine")
    pool = TrainingPool(workers=1, store=store)
    try:
        pool.submit([RunSpec("csv:mine", "[2, 4, 2]", epochs=5)], catalog=Catalog([data])).result(timeout=60)
        pool.submit(expand_grid(epochs=3)).result(timeout=60)
        assert pool.stored.flush(timeout=60)
        assert [info.n_runs for info in store.list()] == [3]  # the built-in comparison only
    finally:
        pool.shutdown()


@pytest.mark.slow
def test_a_store_that_fails_never_fails_a_visitor(tmp_path, caplog):
    """The database goes away (a server gone, a disk full): the pool trains as if it had none, and says so
    once in the log."""
    from experiments.store import StoreUnavailable

    class Gone:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise StoreUnavailable("postgresql://lab:***@db/results", "cannot be reached")
            return fail

    pool = TrainingPool(workers=1, store=Gone())
    try:
        results = pool.submit(expand_grid(epochs=3)).result(timeout=60)
        assert pool.stored.flush(timeout=30) and len(results.runs) == 3 and pool.stats["trained"] == 1
        assert pool.estimate_wait_seconds(expand_grid(epochs=4)) > 0
    finally:
        pool.shutdown()
    warnings = [r.getMessage() for r in caplog.records if "results store" in r.getMessage()]
    assert warnings and all("cannot be reached" in w for w in warnings) and len(warnings) == len(set(warnings))


def test_the_speed_is_the_median_of_recent_groups_and_does_not_jump_on_one():
    """Issue 24: estimates were off up to 4x both ways because one slow group doubled every later estimate.
    The server's speed is the median of its last groups' measured / estimated times, within [0.5, 4]."""
    from experiments.pool.timing import Speed
    speed = Speed()
    assert speed.value == 1.0
    for measured in (1.0, 1.1, 0.9, 1.0):
        speed.record(measured, 1.0)
    speed.record(2.5, 1.0)  # one slow group (a digits one the model underestimates)
    assert speed.value == pytest.approx(1.0)
    speed.record(10.0, 0.05)  # a group of a few milliseconds' estimate is fixed costs: not counted
    assert speed.value == pytest.approx(1.0)
    for _ in range(8):
        speed.record(30.0, 1.0)
    assert speed.value == 4.0  # the load may be heavy, but a group's own pace says the rest


def test_time_left_follows_the_group_s_own_pace_once_it_has_begun():
    from experiments.pool.timing import group_remaining
    assert group_remaining(10.0, 1.0, 2.0, 0.0) == 8.0  # nothing done yet: the model's word
    assert group_remaining(10.0, 1.0, 20.0, 0.5) == pytest.approx(20.0)  # half done in 20 s: 20 s more, not 0
    assert group_remaining(10.0, 1.0, 1.0, 0.5) == pytest.approx(1.0)  # faster than the model: its pace
    early = group_remaining(10.0, 1.0, 1.0, 0.05)
    assert 1.0 * 0.95 / 0.05 > early > 9.0  # a little done: mostly the model's word


def test_a_class_opening_one_stored_comparison_at_once_reads_it_once(wait_until):
    """Ten sessions open one results link at the same moment after a restart: the pool's link to the store
    reads the comparison once and hands the same Results to all ten (each read used to be its own, so the
    tenth waited for ten)."""
    from experiments.pool.stored import StoreLink

    class SlowStore:
        def __init__(self):
            self.reads, self.release = 0, threading.Event()

        def get(self, name, catalog=None):
            self.reads += 1
            self.release.wait(timeout=30)
            return {"read": self.reads}

    store = SlowStore()
    link = StoreLink(store)
    key = (tuple(expand_grid(epochs=3)), 20, ())
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(link.get(key))) for _ in range(10)]
    threads[0].start()
    wait_until(lambda: store.reads == 1)
    for thread in threads[1:]:
        thread.start()
    wait_until(lambda: link._reads[key].waiting == 9)
    store.release.set()
    for thread in threads:
        thread.join(timeout=30)
    assert store.reads == 1 and answers == [{"read": 1}] * 10
    assert not link._reads  # nothing left in flight: the next miss reads again
