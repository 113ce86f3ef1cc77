"""The settings table (experiments/fields.py): every reader of a setting uses its row. Each test walks the
table and checks one reader against it: check_spec and check_options (the library), a saved runs.csv,
the command line, share links and runs.csv restore (the app); and a throwaway row shows that a new setting
reaches the link, the runs.csv restore and the command line with no other edit."""
import dataclasses
import inspect
import math

import pytest

from experiments import fields
from experiments.cli import build_parser, specs_from_args
from experiments.datasets import check_options
from experiments.fields import FIELDS, Widget, app_fields, app_range, data_options, field_named
from experiments.registry import DATASETS
from experiments.results import RUN_COLUMNS
from experiments.runner import run_grid
from experiments.saved import results_from_csv, run_ranges
from experiments.settings import AppSettings, settings_class
from experiments.specs import RunSpec, check_spec, expand_grid
from experiments.store import schema

NUMBERS = [row for row in FIELDS if row.type in (int, float)]
OPTION_DATASET = "xor"  # has every data option
CAPS = {"max_epochs": 2000, "max_samples": 5000}


def ids(rows):
    return [row.name for row in rows]


def below(row, low):
    """A value of ``row``'s type just below ``low``."""
    return low - 1 if row.type is int else (low / 2 if low > 0 else -0.5)


def above(row, high):
    return high + 1 if row.type is int else high * 1.5


def bounds(row):
    return row.bounds(DATASETS[OPTION_DATASET] if row.per_dataset else None)


def checked_by_the_library(row, value):
    """``value`` for ``row`` through check_spec (a data option through check_options too, which load_dataset
    calls): the value the spec comes out with."""
    if row.per_dataset:
        assert check_options(OPTION_DATASET, **{row.name: value})[row.name] == value
    return getattr(check_spec(RunSpec(dataset=OPTION_DATASET, **{row.name: value})), row.name)


@pytest.fixture(scope="module")
def saved_runs():
    """A runs table as a runs.csv holds it (one xor run), to be spoiled one cell at a time."""
    return run_grid(expand_grid(datasets=[OPTION_DATASET], architectures=["[2, 2]"], epochs=1)).runs


def opened(runs):
    return results_from_csv(runs.to_csv(index=False).encode()).runs


# ----- the table is whole -----
def test_every_row_is_a_run_spec_field_a_runs_csv_column_a_store_column_and_a_grid_parameter():
    """A setting's runs.csv column is its RunSpec field (results.py writes a run's row from its spec), and the
    store keeps every runs.csv column: a row without them could not come back from saved results."""
    spec_fields = {field.name for field in dataclasses.fields(RunSpec)}
    parameters = inspect.signature(expand_grid).parameters
    for row in FIELDS:
        assert row.name in spec_fields and row.name in RUN_COLUMNS and row.name in schema.runs.c, row.name
        assert row.per_dataset or row.parameter in parameters, row.name
    assert len({row.url_key for row in FIELDS if row.url_key}) == len([row for row in FIELDS if row.url_key])
    assert len({row.flag for row in FIELDS if row.flag}) == len([row for row in FIELDS if row.flag])


def test_app_settings_have_one_attribute_per_row_with_its_default():
    attributes = [field.name for field in dataclasses.fields(AppSettings)]
    assert attributes == [row.setting for row in app_fields()] + ["dataset_options"]
    for row in app_fields():
        assert getattr(AppSettings(), row.setting) == row.default
        assert row.url_key and row.widget is not None, f"{row.name}: the app shows it and links carry it"
    for row in data_options():
        assert row.url_key and row.widget is not None and row.absent


# ----- the library: check_spec and check_options -----
@pytest.mark.parametrize("row", NUMBERS, ids=ids(NUMBERS))
def test_check_spec_holds_every_number_to_its_rows_bounds(row):
    low, high = bounds(row)
    assert checked_by_the_library(row, low) == low
    with pytest.raises(ValueError, match=rf"'{row.name}' must .*got {below(row, low)!r}"):
        checked_by_the_library(row, below(row, low))
    if high is not None:
        assert checked_by_the_library(row, high) == high
        with pytest.raises(ValueError, match=rf"'{row.name}' must .*{high}.*got {above(row, high)!r}"):
            checked_by_the_library(row, above(row, high))


def test_a_data_options_bounds_are_its_datasets():
    """digits may have at most 1797 samples (its entry's max_samples), the others 100000."""
    row = field_named("n_samples")
    assert row.bounds(DATASETS["digits"]) == (8, 1797) and row.bounds(DATASETS["xor"]) == (8, 100_000)
    assert check_options("digits", n_samples=1797)["n_samples"] == 1797
    with pytest.raises(ValueError, match=r"'n_samples' must be an integer between 8 and 1797; got 1798"):
        check_options("digits", n_samples=1798)
    with pytest.raises(ValueError, match=r"'noise' does not apply to digits \(it has no noise option\)"):
        check_options("digits", noise=0.1)


@pytest.mark.parametrize("row", [field_named(name) for name in ("dataset", "activation", "optimizer")],
                         ids=["dataset", "activation", "optimizer"])
def test_check_spec_takes_every_choice_of_its_rows_registry(row):
    for choice in row.choices():
        assert getattr(check_spec(RunSpec(**{row.name: choice})), row.name) == choice
    with pytest.raises(ValueError, match=rf"'{row.name}' must be one of"):
        check_spec(RunSpec(**{row.name: "bogus"}))


# ----- a saved runs.csv -----
@pytest.mark.parametrize("row", NUMBERS, ids=ids(NUMBERS))
def test_a_saved_runs_csv_is_held_to_the_same_bounds(row, saved_runs):
    low, high = bounds(row)
    if not row.per_dataset and not row.none_as:
        assert run_ranges()[row.name] == (low, math.inf if high is None else high)
    runs = saved_runs.astype({row.name: object})
    for value in (low, high):
        if value is not None:
            runs[row.name] = value
            assert opened(runs)[row.name].iloc[0] == value
    for value in (below(row, low), None if high is None else above(row, high)):
        if value is not None:
            runs[row.name] = value
            with pytest.raises(ValueError, match=rf"column '{row.name}' must lie in \[{low:g}, "):
                opened(runs)


# ----- the command line -----
@pytest.mark.parametrize("row", NUMBERS, ids=ids(NUMBERS))
def test_the_command_line_has_every_rows_flag_and_holds_it_to_the_same_bounds(row):
    def specs(value):
        text = fields.as_text(value)
        args = build_parser().parse_args(["run", "--dataset", OPTION_DATASET, "--arch", "[2,2]", f"--{row.flag}",
                                          *([text] if row.many else [text])])
        return specs_from_args(args)

    low, high = bounds(row)
    for value in (low, high):
        if value is not None:
            assert getattr(specs(value)[0], row.name) == value
    for value in (below(row, low), None if high is None else above(row, high)):
        if value is not None:
            with pytest.raises(ValueError, match=rf"'{row.name}' must"):
                specs(value)


def test_the_command_lines_flags_are_the_tables_in_its_order():
    run = build_parser()._subparsers._group_actions[0].choices["run"]
    flags = [action.option_strings[0] for action in run._actions if action.option_strings[0] != "-h"]
    assert flags[:len([row for row in FIELDS if row.flag])] == [f"--{row.flag}" for row in FIELDS if row.flag]
    for action in run._actions:
        row = next((row for row in FIELDS if f"--{row.flag}" in action.option_strings), None)
        if row is not None:
            assert (action.nargs == "+") == row.many and row.help in action.help


# ----- the app: links and runs.csv restore -----
@pytest.mark.parametrize("row", [row for row in NUMBERS if row.setting or row.per_dataset],
                         ids=ids(row for row in NUMBERS if row.setting or row.per_dataset))
def test_a_link_gives_every_number_the_nearest_value_the_apps_widgets_show(row):
    """A single setting beyond what the widgets show gets their nearest value, and says so; a value of a
    list (learning rates) outside the field's bounds is left out, and said."""
    info = DATASETS[OPTION_DATASET] if row.per_dataset else None
    low, high = app_range(row, CAPS, info)
    key = f"{OPTION_DATASET}.{row.url_key}" if row.per_dataset else row.url_key
    query = {"dataset": OPTION_DATASET, key: fields.as_text(below(row, low) if row.app_many else above(row, high))}
    settings, problems = AppSettings.from_query(query, **CAPS)
    shown = (settings.dataset_options.get(OPTION_DATASET, {}).get(row.name) if row.per_dataset
             else getattr(settings, row.setting))
    if row.app_many:
        assert shown == row.default and problems == [f"link parameter {key}: {row.label} must be at least {low:g}; "
                                                     f"got {fields.as_text(below(row, low))!r}."]
    else:
        assert shown == (high if row.widget.kind != "select" else max(o for o in row.widget.options if o != "full"))
        assert problems == [f"link parameter {key}: {fields.as_text(above(row, high))} is outside what this app "
                            f"allows; using {fields.as_text(shown)}."]


@pytest.mark.parametrize("row", app_fields() + data_options(), ids=ids(app_fields() + data_options()))
def test_every_setting_comes_back_from_its_link_and_its_runs_csv_column(row):
    """A value other than the default, for each setting: the link carries it under the row's key, and the
    runs.csv its grid writes restores it from the row's column."""
    other = {"dataset": ("xor",), "architecture": ("[2, 4, 2]",), "activation": ("tanh",), "lr": (0.3,),
             "optimizer": ("adam",), "epochs": 3, "batch_size": "full", "l2": 0.01, "seed": 2, "n_samples": 40,
             "noise": 0.3, "test_fraction": 0.5}[row.name]
    base = {"datasets": ("xor",), "architectures": ("[2, 4, 2]",), "epochs": 2}
    if row.per_dataset:
        settings = AppSettings(**base, dataset_options={"xor": {row.name: other}})
        assert settings.to_query()[f"xor.{row.url_key}"] == fields.as_text(other)
    else:
        settings = AppSettings(**{**base, row.setting: other})
        assert row.url_key in settings.to_query() or other == base.get(row.setting)
    assert AppSettings.from_query(settings.to_query()) == (settings, [])
    restored, problems = AppSettings.from_runs(run_grid(settings.specs()).runs)
    assert restored.changes_from(settings) == [] and problems == []


# ----- a new setting is one row -----
@pytest.fixture
def split_seed():
    """The table with a throwaway setting row: the data split's seed shown by the app as "split", up to 99
    (a RunSpec field the app has no setting for today), its flag renamed --split-seed. The AppSettings class
    made from that table. The table is put back afterwards."""
    rows = list(FIELDS)
    row = dataclasses.replace(field_named("data_seed"), setting="data_seed", default=0, url_key="split",
                              flag="split-seed", widget=Widget("number", "Data seed", high=99, step=1))
    FIELDS[:] = [row if old.name == "data_seed" else old for old in rows]
    try:
        yield settings_class()
    finally:
        FIELDS[:] = rows


def test_a_new_row_is_a_setting_of_the_link_the_runs_csv_restore_and_the_command_line(split_seed):
    Settings = split_seed
    assert Settings().data_seed == 0 and AppSettings is not Settings
    chosen = Settings(datasets=("xor",), architectures=("[2, 4, 2]",), epochs=2, data_seed=7)
    assert {spec.data_seed for spec in chosen.specs()} == {7}  # the grid takes it
    assert chosen.to_query()["split"] == "7" and Settings.from_query(chosen.to_query()) == (chosen, [])
    assert Settings.from_query({"split": "500"}) == (
        Settings(data_seed=99), ["link parameter split: 500 is outside what this app allows; using 99."])
    assert chosen.changes_from(Settings(**{**dataclasses.asdict(chosen), "data_seed": 1})) == ["data seed"]
    runs = results_from_csv(run_grid(chosen.specs()).runs_csv().encode()).runs
    restored, problems = Settings.from_runs(runs)
    assert restored.data_seed == 7 and restored.changes_from(chosen) == [] and problems == []
    args = build_parser().parse_args(["run", "--dataset", "xor4", "--arch", "[2,2]", "--split-seed", "5"])
    assert {spec.data_seed for spec in specs_from_args(args)} == {5}
    assert "--split-seed" in build_parser()._subparsers._group_actions[0].choices["run"].format_help()


def test_the_table_in_docs_fields_md_is_the_tables():
    """docs/fields.md lists every row with its bounds, URL key and flag; a row changed here changes there."""
    import os
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs", "fields.md")
    with open(path, encoding="utf-8") as handle:
        text = handle.read().split("\n## The ranges\n\n", 1)[1].split("\n\n", 1)[0]
    lines = [[cell.strip() for cell in line.strip("|").split("|")] for line in text.splitlines()[2:]]
    assert [cells[0] for cells in lines] == [row.name for row in FIELDS]
    for cells, row in zip(lines, FIELDS):
        key = f"`<dataset>.{row.url_key}`" if row.per_dataset else f"`{row.url_key}`" if row.url_key else ""
        assert (cells[5], cells[6]) == (key, f"`--{row.flag}`" if row.flag else ""), row.name
        if row.type in (int, float) and not callable(row.high):
            def shown(number):
                return str(number) if isinstance(number, int) else f"{number:g}"
            assert cells[2] == f"[{shown(row.low)}, {'no bound' if row.high is None else shown(row.high)}]", row.name
