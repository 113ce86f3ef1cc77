"""The caps on one request, how a bad operator setting is refused, and the time estimate."""
import pytest

from experiments.limits import GridTooLarge, Limits, check_limits, estimate_seconds
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
