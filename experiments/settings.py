"""What a visitor chose in the app, as one dataclass, and its mirrors: the URL query string of a share link
and the columns of a saved runs.csv.

Every setting is one row of ``FIELDS`` (TensorFlow Playground's ``state.ts`` pattern): its URL key, how
its text is read and written, and the runs.csv column it is restored from. Writing a link, reading one
and restoring from saved results are each one loop over that table.
"""
import math
import re
from dataclasses import asdict, dataclass, field, replace

import nn
from nn.training import MAX_EPOCHS

from .datasets import DATASETS, MAX_NOISE, MAX_TEST_FRACTION, MIN_SAMPLES, MIN_TEST_FRACTION
from .specs import NO_ACTIVATION, expand_grid, format_architecture, parse_architecture

PRESET_ARCHITECTURES = ["[25, 2]", "[25, 8, 2]", "[25, 16, 8, 2]", "[25, 32, 16, 2]", "[25, 64, 2]",
                        "[25, 16, 16, 16, 2]", "[25, 8, 8, 8, 8, 8, 2]"]
PRESET_LRS = [1.0, 0.5, 0.1, 0.05, 0.01, 0.001]
BATCH_CHOICES = [1, 8, 16, 32, 64, 128, "full"]
MAX_SEEDS = 10
MAX_L2 = 10.0
MAX_ECHO = 40  # characters of a bad link value repeated back in a message


@dataclass(frozen=True)
class AppSettings:
    """Defaults are the first lesson: depth on 6x6 line images, where a network without a hidden layer
    cannot tell an X from the lines and one hidden layer can."""

    datasets: tuple = ("lines",)
    architectures: tuple = ("[25, 2]", "[25, 8, 2]", "[25, 16, 8, 2]")
    activations: tuple = ("relu",)
    lrs: tuple = (0.1,)
    optimizers: tuple = ("sgd",)
    epochs: int = 200
    batch_size: object = 16  # an int or "full"
    l2: float = 0.0
    n_seeds: int = 1
    dataset_options: dict = field(default_factory=dict)  # name -> {"n_samples", "noise", "test_fraction"}

    def specs(self, catalog=None, max_runs=None):
        """The grid as RunSpecs; ValueError with a clear message if a value is not allowed, GridTooLarge
        (counted before any spec is made) if it has more than ``max_runs`` runs."""
        if not 1 <= self.n_seeds <= MAX_SEEDS:
            raise ValueError(f"number of seeds must be between 1 and {MAX_SEEDS}; got {self.n_seeds}.")
        options = {name: {k: v for k, v in self.dataset_options.get(name, {}).items() if v is not None}
                   for name in self.datasets}
        return expand_grid(datasets=self.datasets, architectures=self.architectures, activations=self.activations,
                           lrs=self.lrs, optimizers=self.optimizers, seeds=tuple(range(self.n_seeds)),
                           epochs=self.epochs, batch_size=None if self.batch_size == "full" else self.batch_size,
                           l2=self.l2, dataset_options=options, catalog=catalog, max_runs=max_runs)

    def shareable(self):
        """These settings without the visitor's own datasets, which stay private (the defaults if none is left)."""
        shared = tuple(d for d in self.datasets if d in DATASETS)
        return replace(self, datasets=shared or AppSettings().datasets,
                       dataset_options={k: v for k, v in self.dataset_options.items() if k in DATASETS})

    def to_query(self):
        """Query parameters for a share link: only what differs from the defaults."""
        default, settings, query = AppSettings(), self.shareable(), {}
        for row in FIELDS:
            value = getattr(settings, row.attribute)
            if value != getattr(default, row.attribute):
                query[row.url_key] = [row.write(v) for v in value] if row.many else row.write(value)
        for name in settings.datasets:
            for option in OPTIONS:
                value = settings.dataset_options.get(name, {}).get(option.attribute)
                if value is not None and value != getattr(DATASETS[name], option.attribute):
                    query[f"{name}.{option.url_key}"] = option.write(value)
        return query

    @classmethod
    def from_query(cls, query, max_epochs=MAX_EPOCHS, max_samples=None):
        """(settings, problems) from {key: [values]}. A bad value is reported and its default kept; a number
        outside what the app allows is reported and replaced by the nearest allowed one."""
        reader = _Reader(query, max_epochs, max_samples)
        values = {}
        for row in FIELDS:
            good = reader.read(row.url_key, row, many=row.many)
            if good:
                values[row.attribute] = tuple(dict.fromkeys(good)) if row.many else good[0]
        settings = replace(cls(), **values)
        options = {}
        for name in settings.datasets:
            for option in OPTIONS:
                if getattr(DATASETS[name], option.attribute) is None:
                    continue
                good = reader.read(f"{name}.{option.url_key}", option, dataset=name)
                if good:
                    options.setdefault(name, {})[option.attribute] = good[0]
        return replace(settings, dataset_options=options), reader.problems

    @classmethod
    def from_runs(cls, runs):
        """The settings that produced a runs table (e.g. an opened runs.csv): what it varied, as the sidebar
        shows it. Own datasets are left out (their data is not in the file)."""
        runs = runs[runs["dataset"].isin(list(DATASETS))]
        if runs.empty:
            return cls()
        values = {}
        for row in FIELDS:
            column = runs[row.runs_column]
            if row.attribute == "n_seeds":
                values["n_seeds"] = min(MAX_SEEDS, max(1, int(column.nunique())))
                continue
            items = [item for item in dict.fromkeys(column.tolist()) if item not in row.no_setting]
            if not items:  # e.g. only networks without a hidden layer: no activation to restore
                continue
            try:
                good = [row.read(str(item) if not isinstance(item, float) else f"{item:.17g}") for item in items]
            except ValueError:
                continue
            values[row.attribute] = tuple(good) if row.many else good[0]
        options = {}
        for name, members in runs.groupby("dataset", sort=False):
            for option in OPTIONS:
                value = members[option.runs_column].iloc[0]
                if getattr(DATASETS[name], option.attribute) is not None and value == value:  # not NaN
                    options.setdefault(name, {})[option.attribute] = option.kind(value)
        return replace(cls(), **values, dataset_options=options)

    def changes_from(self, other):
        """Names of the settings that differ from ``other`` (for "these results are out of date"); a dataset
        option left at its default counts as that default, and only datasets in both can have changed options
        (one added or removed is a change of datasets)."""
        changed = [row.label for row in FIELDS if getattr(self, row.attribute) != getattr(other, row.attribute)]
        mine, theirs = self.effective_options(), other.effective_options()
        if any(mine[name] != theirs[name] for name in mine.keys() & theirs.keys()):
            changed.append("dataset options")
        return changed

    def effective_options(self):
        """{dataset: {option: value}} for the chosen built-in datasets, defaults filled in."""
        return {name: {option.attribute: self.dataset_options.get(name, {}).get(
                    option.attribute, getattr(DATASETS[name], option.attribute))
                       for option in OPTIONS if getattr(DATASETS[name], option.attribute) is not None}
                for name in self.datasets if name in DATASETS}

    def as_dict(self):
        return asdict(self)


# ----- reading and writing values -----
def _format_value(value):
    return f"{value:g}" if isinstance(value, float) else str(value)


def echo(text, limit=MAX_ECHO):
    """A value a visitor typed or a link carried, quoted and cut short for a message."""
    text = str(text)
    return repr(text if len(text) <= limit else text[:limit] + "…")


PLAIN_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def _number(text, name, allow_zero=False):
    """A finite number written with ASCII digits ("1e3" is 1000; "1_0" and other scripts' digits are not)."""
    text = str(text).strip()
    if not PLAIN_NUMBER.fullmatch(text):
        raise ValueError(f"{name} must be a number; got {echo(text)}.")
    value = float(text)
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be a finite number {'>= 0' if allow_zero else '> 0'}; got {echo(text)}.")
    return value


def _integer(text, name, minimum, maximum=None):
    """A whole number; "1e3" and "1000.0" are read as 1000, "2.5" is refused."""
    text = str(text).strip()
    value = float(text) if PLAIN_NUMBER.fullmatch(text) else math.nan
    if not (math.isfinite(value) and value == int(value)):
        raise ValueError(f"{name} must be a whole number; got {echo(text)}.")
    value = int(value)
    if value < minimum or (maximum is not None and value > maximum):
        allowed = f"at least {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        raise ValueError(f"{name} must be {allowed}; got {value}.")
    return value


def parse_lr(text):
    value = _number(text, "learning rate")
    if value < 1e-12 or value > 1e3:
        raise ValueError(f"learning rate must be between 1e-12 and 1000; got {echo(text)}.")
    return value


def parse_epochs(text, maximum=MAX_EPOCHS):
    return _integer(text, "epochs", 1, maximum)


def _choice(value, choices, name):
    if value not in choices:
        raise ValueError(f"unknown {name} {echo(value)}; choose from {', '.join(sorted(choices))}.")
    return value


def _batch(text):
    if str(text).strip() == "full":
        return "full"
    return _integer(text, "batch size", 1)  # one of BATCH_CHOICES after clamping


@dataclass(frozen=True)
class Setting:
    """One row of the table: an AppSettings attribute, its URL key, how its text is read and written, and
    the runs.csv column it comes back from. ``clamp`` gives the nearest allowed value of a number that is
    out of range (None: such a value is refused)."""

    attribute: str
    url_key: str
    label: str
    read: object
    write: object = _format_value
    many: bool = False
    runs_column: str = ""
    clamp: object = None
    kind: object = float
    no_setting: tuple = ()  # runs.csv values that restore nothing (the activation of a network without one)


FIELDS = [
    Setting("datasets", "dataset", "datasets", lambda v: _choice(v, DATASETS, "dataset"), many=True,
            runs_column="dataset"),
    Setting("architectures", "arch", "architectures", lambda v: format_architecture(parse_architecture(v)),
            many=True, runs_column="architecture"),
    Setting("activations", "act", "activations", lambda v: _choice(v, nn.ACTIVATIONS, "activation"), many=True,
            runs_column="activation", no_setting=(NO_ACTIVATION,)),
    Setting("lrs", "lr", "learning rates", parse_lr, many=True, runs_column="lr"),
    Setting("optimizers", "opt", "optimizers", lambda v: _choice(v, nn.OPTIMIZERS, "optimizer"), many=True,
            runs_column="optimizer"),
    Setting("epochs", "epochs", "epochs", lambda v: _integer(v, "epochs", 1), runs_column="epochs",
            clamp=lambda v, limits: min(v, limits["max_epochs"])),
    Setting("batch_size", "batch", "batch size", _batch, runs_column="batch_size",
            clamp=lambda v, limits: v if v == "full" else min(BATCH_CHOICES[:-1], key=lambda b: abs(b - v))),
    Setting("l2", "l2", "L2", lambda v: _number(v, "L2", allow_zero=True), runs_column="l2",
            clamp=lambda v, limits: min(v, MAX_L2)),
    Setting("n_seeds", "seeds", "seeds", lambda v: _integer(v, "seeds", 1), runs_column="seed",
            clamp=lambda v, limits: min(v, MAX_SEEDS)),
]

OPTIONS = [  # per dataset; the URL key is "<dataset>.<url_key>"
    Setting("n_samples", "n", "samples", lambda v: _integer(v, "samples", 1), runs_column="n_samples", kind=int,
            clamp=lambda v, limits: min(max(v, MIN_SAMPLES), limits["max_samples"])),
    Setting("noise", "noise", "noise", lambda v: _number(v, "noise", allow_zero=True), runs_column="noise",
            clamp=lambda v, limits: min(v, MAX_NOISE)),
    Setting("test_fraction", "test", "test fraction", lambda v: _number(v, "test fraction", allow_zero=True),
            runs_column="test_fraction", clamp=lambda v, limits: min(max(v, MIN_TEST_FRACTION), MAX_TEST_FRACTION)),
]


class _Reader:
    """Reads link values through the table, collecting what was wrong and what was replaced."""

    def __init__(self, query, max_epochs, max_samples):
        self.query, self.problems = query, []
        self.max_epochs, self.max_samples = max_epochs, max_samples

    def read(self, key, row, many=False, dataset=None):
        raw = self.query.get(key, [])
        items = [raw] if isinstance(raw, str) else list(raw)
        good = []
        for item in (items if many else items[-1:]):
            try:
                value = row.read(item)
            except ValueError as error:
                self.problems.append(f"link parameter {key}: {error}")
                continue
            if row.clamp is not None and value != "full":
                limits = {"max_epochs": self.max_epochs,
                          "max_samples": min(self.max_samples or 10**9, DATASETS[dataset].max_samples)
                          if dataset else None}
                allowed = row.clamp(value, limits)
                if allowed != value:
                    self.problems.append(f"link parameter {key}: {_format_value(value)} is outside what this app "
                                         f"allows; using {_format_value(allowed)}.")
                    value = allowed
            good.append(value)
        return good


# ----- what visitors type into the text boxes -----
def split_entries(text, architectures=False):
    """Entries typed in a text box: separated by ';' or new lines (and also ',' for learning rates)."""
    pattern = r"[;\n]+" if architectures else r"[;,\s]+"
    return [entry.strip() for entry in re.split(pattern, text or "") if entry.strip()]


def parse_custom_architectures(text):
    """(['[25, 32, 16, 2]', ...], [error messages]) from a text box."""
    good, errors = [], []
    for entry in split_entries(text, architectures=True):
        try:
            good.append(format_architecture(parse_architecture(entry)))
        except ValueError as error:
            errors.append(str(error))
    return good, errors


def parse_custom_lrs(text):
    good, errors = [], []
    for entry in split_entries(text):
        try:
            good.append(parse_lr(entry))
        except ValueError as error:
            errors.append(str(error))
    return good, errors
