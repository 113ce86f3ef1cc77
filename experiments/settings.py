"""What a visitor chose in the app, as one dataclass, and its mirrors: the URL query string of a share link
and the columns of a saved runs.csv.

AppSettings has one attribute per row of the settings table (fields.py) that the app sets, with the row's
default, and the data options of each dataset. Writing a link, reading one and restoring from saved
results are each one loop over that table (TensorFlow Playground's ``state.ts`` pattern).
"""
import re
from dataclasses import field, make_dataclass, replace

from nn.training import MAX_EPOCHS

from .fields import ARCHITECTURE, DECIMAL_COMMA, app_fields, app_range, as_text, clamp, data_options, read
from .numbers import echo
from .registry import DATASETS
from .specs import expand_grid

# Streamlit reads no setting at all of a link with more fields or characters than these (it logs a warning)
MAX_LINK_FIELDS, MAX_LINK_CHARACTERS = 1000, 512 * 1024


class SettingsMethods:
    """What AppSettings does (its attributes come from the settings table: see ``settings_class``)."""

    def specs(self, catalog=None, max_runs=None):
        """The grid as RunSpecs; ValueError with a clear message if a value is not allowed, GridTooLarge
        (counted before any spec is made) if it has more than ``max_runs`` runs."""
        grid = {}
        for row in app_fields():
            value = getattr(self, row.setting)
            if row.count:  # the app chooses how many: values 0 to n - 1
                low, high = app_range(row)
                if not low <= value <= high:
                    raise ValueError(f"number of {row.label} must be between {low} and {high}; got {value}.")
                value = tuple(range(value))
            elif row.none_as and value == row.none_as:
                value = None
            grid[row.parameter] = value
        options = {name: {k: v for k, v in self.dataset_options.get(name, {}).items() if v is not None}
                   for name in self.datasets}
        return expand_grid(**grid, dataset_options=options, catalog=catalog, max_runs=max_runs)

    def shareable(self):
        """These settings without the visitor's own datasets, which stay private (the defaults if none is left)."""
        shared = tuple(d for d in self.datasets if d in DATASETS)
        return replace(self, datasets=shared or type(self)().datasets,
                       dataset_options={k: v for k, v in self.dataset_options.items() if k in DATASETS})

    def to_query(self):
        """Query parameters for a share link: only what differs from the defaults."""
        default, settings, query = type(self)(), self.shareable(), {}
        for row in app_fields():
            value = getattr(settings, row.setting)
            if value != getattr(default, row.setting):
                query[row.url_key] = [as_text(v) for v in value] if row.app_many else as_text(value)
        for name in settings.datasets:
            for row in data_options():
                value = settings.dataset_options.get(name, {}).get(row.name)
                if value is not None and value != getattr(DATASETS[name], row.name):
                    query[f"{name}.{row.url_key}"] = as_text(value)
        return query

    @classmethod
    def from_query(cls, query, max_epochs=MAX_EPOCHS, max_samples=None):
        """(settings, problems) from {key: [values]}. A bad value is reported and its default kept; a number
        outside what the app allows is reported and replaced by the nearest allowed one."""
        reader = _Reader(query, _caps(max_epochs, max_samples), lambda key: f"link parameter {key}")
        settings = cls._read(reader)
        options = {row.url_key: row for row in data_options()}
        for key in query:  # a dataset option the settings cannot take is said, not dropped without a word
            name, _, url_key = key.partition(".")
            if name not in DATASETS or not url_key:
                continue
            if url_key not in options:
                reader.problem(key, f"{name} has no option {echo(url_key)}; its options are {', '.join(options)}; "
                                    "left out.")
            elif name not in settings.datasets:
                reader.problem(key, f"{name} is not among the link's datasets; left out.")
            elif getattr(DATASETS[name], options[url_key].name) is None:
                reader.problem(key, f"does not apply to {name} ({options[url_key].absent}); left out.")
        return settings, reader.problems

    @classmethod
    def _read(cls, reader):
        """The settings ``reader`` finds through the table, each bad or out-of-range value noted in it."""
        values = {}
        for row in app_fields():
            good = reader.read(row.url_key, row)
            if good:
                values[row.setting] = tuple(dict.fromkeys(good)) if row.app_many else good[0]
        settings = replace(cls(), **values)
        options = {}
        for name in settings.datasets:
            for row in data_options():
                if getattr(DATASETS[name], row.name) is None:
                    continue
                good = reader.read(f"{name}.{row.url_key}", row, DATASETS[name])
                if good:
                    options.setdefault(name, {})[row.name] = good[0]
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
        for row in app_fields():  # a setting's runs.csv column is its RunSpec field's name
            column = runs[row.name]
            if row.count:
                items = [column.nunique()]
            else:  # e.g. only networks without a hidden layer: no activation to restore
                items = [item for item in dict.fromkeys(column.tolist()) if item not in row.no_setting]
            if not items:
                continue
            query[row.url_key] = [_as_text(item) for item in (items if row.app_many else items[:1])]
            names[row.url_key] = f"runs.csv column {row.name}"
        for name, members in runs.groupby("dataset", sort=False):
            for row in data_options():
                value = members[row.name].iloc[0]
                if getattr(DATASETS[name], row.name) is not None and value == value:  # not NaN
                    query[f"{name}.{row.url_key}"] = [_as_text(value)]
                    names[f"{name}.{row.url_key}"] = f"runs.csv column {row.name} ({name})"
        reader = _Reader(query, _caps(max_epochs, max_samples), names.get)
        return cls._read(reader), reader.problems

    def changes_from(self, other):
        """Names of the settings that differ from ``other`` (for "these results are out of date"); a dataset
        option left at its default counts as that default, and only datasets in both can have changed options
        (one added or removed is a change of datasets)."""
        changed = [row.setting_label for row in app_fields()
                   if getattr(self, row.setting) != getattr(other, row.setting)]
        mine, theirs = self.effective_options(), other.effective_options()
        if any(mine[name] != theirs[name] for name in mine.keys() & theirs.keys()):
            changed.append("dataset options")
        return changed

    def effective_options(self):
        """{dataset: {option: value}} for the chosen built-in datasets, defaults filled in."""
        return {name: {row.name: self.dataset_options.get(name, {}).get(row.name, getattr(DATASETS[name], row.name))
                       for row in data_options() if getattr(DATASETS[name], row.name) is not None}
                for name in self.datasets if name in DATASETS}


def settings_class():
    """AppSettings: a frozen dataclass with one attribute per setting the app takes from the settings table
    (a tuple for a setting with several values, defaults the rows'), and ``dataset_options``: {dataset:
    {option: value}}, the data options chosen (a dataset's own default for those left out)."""
    attributes = [(row.setting, tuple if row.app_many else object, field(default=row.default)) for row in app_fields()]
    cls = make_dataclass("AppSettings", [*attributes, ("dataset_options", dict, field(default_factory=dict))],
                         bases=(SettingsMethods,), frozen=True)
    cls.__module__ = __name__
    cls.__doc__ = """What a visitor chose in the sidebar. Defaults are the first lesson: depth on 6x6 line images,
    where a network without a hidden layer cannot tell an X from the lines and one hidden layer can."""
    return cls


AppSettings = settings_class()


def _caps(max_epochs, max_samples):
    """The server caps a widget of the table may name (limits.Limits attributes); None: no cap."""
    return {"max_epochs": max_epochs, "max_samples": max_samples}


def _as_text(value):
    """A runs table's value as a link would write it, every digit of a float kept."""
    return f"{value:.17g}" if isinstance(value, float) else str(value)


class _Reader:
    """Reads link values through the table, collecting what was wrong and what was replaced: each problem
    once, with a count if it came back (a link may repeat one bad value a thousand times). ``where(key)``
    names the place a value came from in a message ("link parameter lr"); ``caps``: the server's caps."""

    def __init__(self, query, caps, where):
        self.query, self.caps, self.where, self.counts = query, caps, where, {}

    def problem(self, key, message):
        message = f"{self.where(key)}: {message}"
        self.counts[message] = self.counts.get(message, 0) + 1

    @property
    def problems(self):
        return [message + (f" ({count} times)" if count > 1 else "") for message, count in self.counts.items()]

    def read(self, key, row, info=None):
        """The good values of ``key`` for ``row`` (the last one only, for a single setting); ``info``: the
        dataset's registry entry, for a data option."""
        raw = self.query.get(key, [])
        items = [raw] if isinstance(raw, str) else list(raw)
        good = []
        for item in (items if row.app_many else items[-1:]):
            try:
                value = read(row, item)
            except ValueError as error:
                self.problem(key, str(error))
                continue
            allowed = value if row.app_many else clamp(row, value, self.caps, info)
            if allowed != value:
                self.problem(key, f"{as_text(value)} is outside what this app allows; using {as_text(allowed)}.")
            good.append(allowed)
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


def read_entries(row, text):
    """(values, [error messages]) of the entries typed in ``row``'s text box ("0.2, 0.003" for learning
    rates, "[25, 32, 16, 2]; 25-4-2" for architectures); "0,5" is refused as a decimal comma, not read as 0 and 5."""
    good, errors = [], []
    for entry in split_entries(text, architectures=row.type == ARCHITECTURE):
        try:
            good.append(read(row, entry))
        except ValueError as error:
            errors.append(str(error))
    return good, errors
