"""What a visitor chose in the app, as one dataclass, and its mirrors: the URL query string of a share link
and the columns of a saved runs.csv.

Every setting is one row of ``FIELDS`` (TensorFlow Playground's ``state.ts`` pattern): its URL key, how
its text is read and written, and the runs.csv column it is restored from. Writing a link, reading one
and restoring from saved results are each one loop over that table.
"""
import re
from dataclasses import dataclass, field, replace

import nn
from nn.training import MAX_EPOCHS

from .datasets import DATASETS, MAX_NOISE, MAX_TEST_FRACTION, MIN_SAMPLES, MIN_TEST_FRACTION, OPTION_ABSENT
from .numbers import echo, read_number, read_whole
from .specs import NO_ACTIVATION, expand_grid, format_architecture, parse_architecture

PRESET_ARCHITECTURES = ["[25, 2]", "[25, 8, 2]", "[25, 16, 8, 2]", "[25, 32, 16, 2]", "[25, 64, 2]",
                        "[25, 16, 16, 16, 2]", "[25, 8, 8, 8, 8, 8, 2]"]
PRESET_LRS = [1.0, 0.5, 0.1, 0.05, 0.01, 0.001]
BATCH_CHOICES = [1, 8, 16, 32, 64, 128, "full"]
MAX_SEEDS = 10
MAX_L2 = 10.0
# Streamlit reads no setting at all of a link with more fields or characters than these (it logs a warning)
MAX_LINK_FIELDS, MAX_LINK_CHARACTERS = 1000, 512 * 1024


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
        reader = _Reader(query, max_epochs, max_samples, lambda key: f"link parameter {key}")
        settings = cls._read(reader)
        options = {option.url_key: option for option in OPTIONS}
        for key in query:  # a dataset option the settings cannot take is said, not dropped without a word
            name, _, url_key = key.partition(".")
            if name not in DATASETS or not url_key:
                continue
            if url_key not in options:
                reader.problem(key, f"{name} has no option {echo(url_key)}; its options are {', '.join(options)}; "
                                    "left out.")
            elif name not in settings.datasets:
                reader.problem(key, f"{name} is not among the link's datasets; left out.")
            elif getattr(DATASETS[name], options[url_key].attribute) is None:
                reader.problem(key, f"does not apply to {name} ({OPTION_ABSENT[options[url_key].attribute]}); "
                                    "left out.")
        return settings, reader.problems

    @classmethod
    def _read(cls, reader):
        """The settings ``reader`` finds through the table, each bad or out-of-range value noted in it."""
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
        return replace(settings, dataset_options=options)

    @classmethod
    def from_runs(cls, runs, max_epochs=MAX_EPOCHS, max_samples=None):
        """(settings, problems) that produced a runs table (e.g. an opened runs.csv): what it varied, as the
        sidebar shows it. Own datasets are left out (their data is not in the file). Its values are read as a
        share link's are: one this app does not allow is reported, and replaced by the nearest allowed one
        or left out (a runs.csv from the command line may hold 5000 epochs or an L2 of 100)."""
        runs = runs[runs["dataset"].isin(list(DATASETS))]
        if runs.empty:
            return cls(), []
        query, names = {}, {}
        for row in FIELDS:
            column = runs[row.runs_column]
            if row.attribute == "n_seeds":
                items = [column.nunique()]
            else:  # e.g. only networks without a hidden layer: no activation to restore
                items = [item for item in dict.fromkeys(column.tolist()) if item not in row.no_setting]
            if not items:
                continue
            query[row.url_key] = [_as_text(item) for item in (items if row.many else items[:1])]
            names[row.url_key] = f"runs.csv column {row.runs_column}"
        for name, members in runs.groupby("dataset", sort=False):
            for option in OPTIONS:
                value = members[option.runs_column].iloc[0]
                if getattr(DATASETS[name], option.attribute) is not None and value == value:  # not NaN
                    query[f"{name}.{option.url_key}"] = [_as_text(value)]
                    names[f"{name}.{option.url_key}"] = f"runs.csv column {option.runs_column} ({name})"
        reader = _Reader(query, max_epochs, max_samples, names.get)
        return cls._read(reader), reader.problems

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


# ----- reading and writing values -----
def _format_value(value):
    return f"{value:g}" if isinstance(value, float) else str(value)


DECIMAL_COMMA = re.compile(r"[0-9]+,[0-9]+")  # "0,5": one comma between digits, no point, no space


def _as_text(value):
    """A runs table's value as a link would write it, every digit of a float kept."""
    return f"{value:.17g}" if isinstance(value, float) else str(value)


def _number(text, name, allow_zero=False):
    """A finite number written with ASCII digits ("1e3" is 1000; "1_0" and other scripts' digits are not)."""
    text = str(text).strip()
    value = read_number(text, name)
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be a finite number {'>= 0' if allow_zero else '> 0'}; got {echo(text)}.")
    return value


def _integer(text, name, minimum, maximum=None):
    """A whole number; "1e3" and "1000.0" are read as 1000, "2.5" is refused."""
    value = read_whole(str(text).strip(), name)
    if value < minimum or (maximum is not None and value > maximum):
        allowed = f"at least {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        raise ValueError(f"{name} must be {allowed}; got {value}.")
    return value


def parse_lr(text):
    """A learning rate, typed or from a link; "0,5" is refused as a decimal comma (see split_entries)."""
    if DECIMAL_COMMA.fullmatch(str(text).strip()):
        raise ValueError(f"learning rate {echo(str(text).strip())} has a comma between digits: write decimals "
                         f"with a point ({str(text).strip().replace(',', '.')}) and separate rates with ', ' or ';'.")
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
    Setting("n_samples", "n", "samples", lambda v: _integer(v, "samples", 1), runs_column="n_samples",
            clamp=lambda v, limits: min(max(v, MIN_SAMPLES), limits["max_samples"])),
    Setting("noise", "noise", "noise", lambda v: _number(v, "noise", allow_zero=True), runs_column="noise",
            clamp=lambda v, limits: min(v, MAX_NOISE)),
    Setting("test_fraction", "test", "test fraction", lambda v: _number(v, "test fraction", allow_zero=True),
            runs_column="test_fraction", clamp=lambda v, limits: min(max(v, MIN_TEST_FRACTION), MAX_TEST_FRACTION)),
]


class _Reader:
    """Reads link values through the table, collecting what was wrong and what was replaced: each problem
    once, with a count if it came back (a link may repeat one bad value a thousand times). ``where(key)``
    names the place a value came from in a message ("link parameter lr")."""

    def __init__(self, query, max_epochs, max_samples, where):
        self.query, self.where, self.counts = query, where, {}
        self.max_epochs, self.max_samples = max_epochs, max_samples

    def problem(self, key, message):
        message = f"{self.where(key)}: {message}"
        self.counts[message] = self.counts.get(message, 0) + 1

    @property
    def problems(self):
        return [message + (f" ({count} times)" if count > 1 else "") for message, count in self.counts.items()]

    def read(self, key, row, many=False, dataset=None):
        raw = self.query.get(key, [])
        items = [raw] if isinstance(raw, str) else list(raw)
        good = []
        for item in (items if many else items[-1:]):
            try:
                value = row.read(item)
            except ValueError as error:
                self.problem(key, str(error))
                continue
            if row.clamp is not None and value != "full":
                limits = {"max_epochs": self.max_epochs,
                          "max_samples": min(self.max_samples or 10**9, DATASETS[dataset].max_samples)
                          if dataset else None}
                allowed = row.clamp(value, limits)
                if allowed != value:
                    self.problem(key, f"{_format_value(value)} is outside what this app allows; using "
                                      f"{_format_value(allowed)}.")
                    value = allowed
            good.append(value)
        return good


def dropped_link(raw_query, query):
    """What to say when Streamlit dropped a whole link before the app saw it: ``raw_query`` is the query
    string the browser sent, ``query`` what Streamlit made of it. [] when nothing was dropped."""
    if not raw_query or query:
        return []
    fields = raw_query.count("&") + 1
    if fields > MAX_LINK_FIELDS:
        return [f"This link has {fields} fields, more than the {MAX_LINK_FIELDS} a link may carry, so none of its "
                "settings were read; the defaults are shown."]
    if len(raw_query) > MAX_LINK_CHARACTERS:
        return [f"This link has {len(raw_query)} characters, more than the {MAX_LINK_CHARACTERS} a link may carry, "
                "so none of its settings were read; the defaults are shown."]
    return []


# ----- what visitors type into the text boxes -----
def split_entries(text, architectures=False):
    """Entries typed in a text box: separated by ';' or new lines (and also ',' and spaces for learning rates,
    but for a comma between digits, such as "0,5", which stays in its entry to be refused)."""
    if architectures:
        return [entry.strip() for entry in re.split(r"[;\n]+", text or "") if entry.strip()]
    entries = []
    for chunk in re.split(r"[;\s]+", text or ""):
        entries += [chunk] if DECIMAL_COMMA.fullmatch(chunk) else chunk.split(",")
    return [entry.strip() for entry in entries if entry.strip()]


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
    """([0.2, 0.003], [error messages]) from a text box; "0,5" is refused as a decimal comma, not read as 0 and 5."""
    good, errors = [], []
    for entry in split_entries(text):
        try:
            good.append(parse_lr(entry))
        except ValueError as error:
            errors.append(str(error))
    return good, errors
