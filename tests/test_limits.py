"""The caps on one request, how a bad operator setting is refused, and the time estimate."""
import pytest

from experiments.costs import MB, estimate_memory, estimate_seconds
from experiments.limits import GridTooLarge, Limits, check_limits
from experiments.specs import expand_grid, load_grid_data


def limit_check(specs, limits):
    return check_limits(specs, limits, load_grid_data(specs))


def test_run_cap_says_by_how_much():
    specs = expand_grid(lrs=[0.1, 0.2, 0.3, 0.4], seeds=[0, 1, 2])  # 36 runs
    with pytest.raises(GridTooLarge, match=r"36 runs; the limit is 12 \(3.0x over\)\. Choose fewer"):
        limit_check(specs, Limits(max_runs=12))


def test_work_cap_says_by_how_much():
    specs = expand_grid(architectures=["[25, 8, 2]"], epochs=100)
    work = (25 * 8 + 8 + 8 * 2 + 2) * 200 * 100
    assert limit_check(specs, Limits()) == work
    with pytest.raises(GridTooLarge, match=r"\(2.0x over\)"):
        limit_check(specs, Limits(max_work=work / 2))


def test_epoch_unit_and_sample_caps():
    with pytest.raises(GridTooLarge, match="3000 epochs is over the limit of 2000"):
        limit_check(expand_grid(epochs=3000), Limits())
    with pytest.raises(GridTooLarge, match="hidden layer of 512 units; the limit is 256"):
        limit_check(expand_grid(architectures=["[25, 512, 2]"]), Limits())
    with pytest.raises(GridTooLarge, match="9000 samples for xor is over the limit of 5000"):
        limit_check(expand_grid(datasets=["xor"], dataset_options={"xor": {"n_samples": 9000}}), Limits())


def test_limits_from_environment():
    limits = Limits.from_env({"NN_LAB_MAX_RUNS": "50", "NN_LAB_MAX_WORK": "1e10"})
    assert limits.max_runs == 50 and limits.max_work == 1e10 and limits.max_epochs == Limits().max_epochs


@pytest.mark.parametrize("variable, raw", [
    ("NN_LAB_MAX_RUNS", "lots"), ("NN_LAB_MAX_RUNS", "0.5"), ("NN_LAB_MAX_RUNS", "0"), ("NN_LAB_MAX_RUNS", "-3"),
    ("NN_LAB_MAX_RUNS", "1_0"), ("NN_LAB_MAX_EPOCHS", "inf"), ("NN_LAB_MAX_WORK", "nan"), ("NN_LAB_MAX_UNITS", ""),
    ("NN_LAB_MAX_SAMPLES", "\u0661\u0660"),
])
def test_a_bad_operator_setting_names_the_variable(variable, raw):
    """An operator mistypes a cap: one clear error naming the variable, never a cap of 0 or a traceback later."""
    with pytest.raises(ValueError, match=f"environment variable {variable} must be a"):
        Limits.from_env({variable: raw})


def test_limits_refuse_nonsense_directly():
    with pytest.raises(ValueError, match="'max_runs' must be a whole number > 0; got 0"):
        Limits(max_runs=0)
    with pytest.raises(ValueError, match="'max_work' must be a number > 0"):
        Limits(max_work=float("nan"))


def test_time_estimate_grows_with_the_work():
    def estimate(**kwargs):
        specs = expand_grid(**kwargs)
        return estimate_seconds(specs, load_grid_data(specs))

    base = estimate(epochs=100)
    # linear in the epochs, over a fixed cost per lockstep group (making the networks, sending the results)
    assert estimate(epochs=300) - estimate(epochs=200) == pytest.approx(estimate(epochs=200) - base)
    assert 1.5 * base < estimate(epochs=200) < 2 * base
    assert estimate(epochs=100, seeds=[0, 1]) > base  # more runs cost more, but less than twice in lockstep
    assert estimate(epochs=100, seeds=[0, 1]) < 2 * base
    assert estimate(epochs=100, batch_size=None) < base  # full batch: fewer steps


def test_a_link_that_would_keep_the_workers_busy_for_an_hour_is_refused_by_its_time():
    """Issue 21's first link: 5000 XOR points in batches of 1 for 2000 epochs, 9 runs. Each run is a small
    share of the work cap, but millions of steps: the time model says so and the time cap refuses it, naming
    the batch size as what to change."""
    specs = expand_grid(datasets=["xor"], dataset_options={"xor": {"n_samples": 5000, "test_fraction": 0.05}},
                        architectures=["[25, 2]", "[25, 1, 2]", "[25, 1, 1, 2]"],
                        optimizers=["sgd", "momentum", "adam"], epochs=2000, batch_size=1)
    datasets = load_grid_data(specs)
    assert estimate_seconds(specs, datasets) > 3600  # an hour and more, as measured (both workers for an hour)
    with pytest.raises(GridTooLarge, match=r"busy for about \d+ s; the limit is 180 s \(\d+\.\dx over\)\. "
                                           r"Use a larger batch size"):
        check_limits(specs, Limits(), datasets)
    one = [spec for spec in specs if spec.architecture == "[25, 2]" and spec.optimizer == "sgd"]
    assert estimate_seconds(one, load_grid_data(one)) > Limits().max_seconds  # one run alone is over too
    check_limits(specs, Limits(max_seconds=1e9), datasets)  # an operator may allow it


def test_a_link_of_deep_wide_full_batch_networks_is_refused_by_its_memory():
    """Issue 21's second link: eleven hidden layers of 256 units, 2 rates x 10 seeds, full batch on the four
    XOR corners: 4.3 GB at peak when it trained. The memory model refuses it before anything is made."""
    specs = expand_grid(datasets=["xor4"], architectures=["[25" + ", 256" * 11 + ", 2]"], lrs=[0.01, 0.02],
                        seeds=list(range(10)), epochs=37, batch_size=None)
    datasets = load_grid_data(specs)
    memory = estimate_memory(specs, datasets, snapshots=20)
    assert memory.total > 1000 * MB and memory.workers > 100 * MB and memory.server > 100 * MB
    with pytest.raises(GridTooLarge, match=r"needs about \d+ MB of memory .* the limit is 300 MB .* Use narrower "
                                           r"or fewer hidden layers, or fewer runs"):
        check_limits(specs, Limits(), datasets, snapshots=20)


def test_the_app_s_own_comparisons_are_far_within_the_time_and_memory_caps():
    """What visitors usually run (every lesson, the classic figure) stays well under both new caps."""
    from experiments.lessons import LESSONS
    for lesson in LESSONS:
        specs = lesson.settings.specs()
        datasets = load_grid_data(specs)
        assert estimate_seconds(specs, datasets) < Limits().max_seconds / 5, lesson.key
        assert estimate_memory(specs, datasets, snapshots=20).total < Limits().max_memory_mb * MB / 5, lesson.key


def test_memory_grows_with_width_runs_snapshots_and_the_optimizer_s_state():
    def memory(snapshots=20, **kwargs):
        specs = expand_grid(**{"architectures": ["[25, 64, 2]"], "epochs": 20, **kwargs})
        return estimate_memory(specs, load_grid_data(specs), snapshots).total

    base = memory()
    assert memory(architectures=["[25, 128, 2]"]) > 1.8 * base
    assert memory(seeds=[0, 1, 2]) > base and memory(snapshots=0) < base
    assert memory(optimizers=["sgd"]) < memory(optimizers=["momentum"]) < memory(optimizers=["adam"])


def test_time_and_memory_caps_from_the_environment():
    limits = Limits.from_env({"NN_LAB_MAX_SECONDS": "600", "NN_LAB_MAX_MEMORY_MB": "512.5"})
    assert limits.max_seconds == 600 and limits.max_memory_mb == 512.5
    with pytest.raises(ValueError, match="environment variable NN_LAB_MAX_SECONDS must be a number > 0"):
        Limits.from_env({"NN_LAB_MAX_SECONDS": "-1"})
