"""Every setting of a comparison, declared once (scikit-learn's ``_parameter_constraints``, TensorFlow
Playground's ``state.ts``): its type and bounds, the registry its choices come from, its default, its URL
key, its command-line flag and help, the label messages call it by, and the sidebar widget that shows it.
A setting's runs.csv column is its ``RunSpec`` field's name (results.py writes a run's row from its spec).

Everything that checks or reads a setting reads its row: ``check_spec`` and ``check_options`` (the
library's door, ``check``), share links and a saved runs.csv (settings.py, through ``read`` and ``clamp``),
saved.py's checks of a runs.csv, the command line's flags (cli.py) and the sidebar's widgets. Adding a
setting is one row here (docs/fields.md says what else a setting that changes training needs).
"""
import math
import numbers
import re
from dataclasses import dataclass

import nn
from nn.training import MAX_EPOCHS
from nn.validation import check_choice, check_int, check_positive_float

from .architectures import canonical_architecture
from .numbers import echo, read_number, read_whole
from .registry import DATASETS, MAX_SAMPLES

ARCHITECTURE = "architecture"  # the type of a setting written as layer widths ("[25, 8, 2]")
NO_ACTIVATION = "none"  # the activation of a network without a hidden layer, in specs, runs.csv and the app
FULL_BATCH = "full"  # a batch of the whole training set: the text of a RunSpec's batch_size None
MIN_LR = 1e-12  # below this a step changes no float64 weight of a usual size: the run would not train
MAX_SEED = 2**32 - 1
MIN_SAMPLES = 8
MAX_NOISE = 10.0
MIN_TEST_FRACTION, MAX_TEST_FRACTION = 0.05, 0.9
# what the sidebar offers
PRESET_ARCHITECTURES = ("[25, 2]", "[25, 8, 2]", "[25, 16, 8, 2]", "[25, 32, 16, 2]", "[25, 64, 2]",
                        "[25, 16, 16, 16, 2]", "[25, 8, 8, 8, 8, 8, 2]")
PRESET_LRS = (1.0, 0.5, 0.1, 0.05, 0.01, 0.001)
BATCH_CHOICES = (1, 8, 16, 32, 64, 128, FULL_BATCH)
MAX_SEEDS = 10
MAX_L2 = 10.0
DECIMAL_COMMA = re.compile(r"[0-9]+,[0-9]+")  # "0,5": one comma between digits, no point, no space


@dataclass(frozen=True)
class Widget:
    """How the sidebar shows a setting. ``kind``: "multiselect" (several values per comparison), or "select",
    "text", "number" or "slider" (one). ``options``: what a multiselect or select offers (None: the field's
    choices); ``typed``: the key of a text box under a multiselect for values beyond its options.
    ``low``/``high``: the limits of a number, slider or typed number, where they are narrower than the
    field's own bounds: a number, or the name of a server cap (a ``limits.Limits`` attribute, such as
    "max_epochs"). What this app allows is what its widgets can show: a link or a runs.csv with a value
    beyond is given the nearest one (``clamp``). ``section``: the sidebar heading this widget opens;
    ``half``: drawn half-width, beside the next half-width widget."""

    kind: str
    title: str
    section: str = ""
    half: bool = False
    help: str = ""  # may name {low} and {high}
    options: tuple | None = None
    typed: str = ""
    typed_title: str = ""
    typed_help: str = ""
    placeholder: str = ""
    low: object = None
    high: object = None
    step: object = None
    format: str | None = None


@dataclass(frozen=True)
class Field:
    """One setting. ``name`` is its RunSpec field and runs.csv column; ``type`` is int, float, str (one of
    ``choices()``, a registry's names) or ARCHITECTURE. ``low``/``high`` bound what any run may have (None:
    no bound; ``high`` of a data option is a function of the dataset's registry entry); ``why`` explains the
    bound that is not obvious and is said with it. ``many``: several values per comparison, crossed in the
    grid (``grid`` names expand_grid's parameter). ``setting`` is the AppSettings attribute (empty: the app
    has none) and ``default`` its default; ``count``: the app chooses how many values, 0 to n - 1 (seeds).
    ``per_dataset``: a data option, set per dataset in the app; ``absent`` says what a dataset without it is.
    ``none_as``: the text that stands for None in a RunSpec. ``no_setting``: runs.csv values that restore
    nothing. ``flag``, ``help``, ``metavar``: the command line's; ``url_key``: the share link's."""

    name: str
    label: str
    type: object
    low: object = None
    high: object = None
    why: str = ""
    choices: object = None
    many: bool = False
    grid: str = ""
    setting: str = ""
    default: object = None
    count: bool = False
    per_dataset: bool = False
    absent: str = ""
    none_as: str = ""
    no_setting: tuple = ()
    url_key: str = ""
    flag: str = ""
    help: str = ""
    metavar: str | None = None
    widget: Widget | None = None

    def bounds(self, info=None):
        """(lowest, highest) any run may have (None: unbounded); a data option's for dataset entry ``info``."""
        return self.low, self.high(info) if callable(self.high) else self.high

    @property
    def app_many(self):
        """Whether the app takes several values of it (a list in a link); seeds are counted, not listed."""
        return self.many and not self.count

    @property
    def setting_label(self):
        """The setting as a whole in messages: "learning rates", "batch size"."""
        return self.label + "s" if self.app_many else self.label

    @property
    def parameter(self):
        """The parameter of expand_grid (and of AppSettings.specs) that takes this field."""
        return self.grid or self.name


FIELDS = [
    Field("dataset", "dataset", str, choices=lambda: list(DATASETS), many=True, grid="datasets", setting="datasets",
          default=("lines",), url_key="dataset", flag="dataset", metavar="NAME", help="datasets",
          widget=Widget("multiselect", "Datasets", section="Data")),
    Field("architecture", "architecture", ARCHITECTURE, many=True, grid="architectures", setting="architectures",
          default=("[25, 2]", "[25, 8, 2]", "[25, 16, 8, 2]"), url_key="arch", flag="arch", metavar="LAYERS",
          help='architectures such as "[25,8,2]", 25,8,2 or 25-8-2',
          widget=Widget("multiselect", "Architectures", section="Networks", options=PRESET_ARCHITECTURES,
                        typed="custom_arch",
                        help="Layer widths, inputs first and classes last. The first and last widths adapt to each "
                             "dataset; the hidden layers are kept.",
                        typed_title="Add architectures", placeholder="[25, 32, 16, 2]; 25-4-2",
                        typed_help="Any architecture, written like [25, 32, 16, 2], 25,32,16,2 or 25-32-16-2; "
                                   "separate several with ';'.")),
    Field("activation", "activation", str, choices=lambda: sorted(nn.ACTIVATIONS), many=True, grid="activations",
          setting="activations", default=("relu",), no_setting=(NO_ACTIVATION,), url_key="act", flag="activation",
          metavar="NAME", help="hidden activations", widget=Widget("multiselect", "Hidden activations")),
    Field("lr", "learning rate", float, low=MIN_LR, why="a smaller step changes no weight", many=True, grid="lrs",
          setting="lrs", default=(0.1,), url_key="lr", flag="lr", metavar="LR", help="learning rates",
          widget=Widget("multiselect", "Learning rates", section="Training", options=PRESET_LRS, typed="custom_lr",
                        typed_title="Add learning rates", placeholder="0.2, 0.003")),
    Field("optimizer", "optimizer", str, choices=lambda: list(nn.OPTIMIZERS), many=True, grid="optimizers",
          setting="optimizers", default=("sgd",), url_key="opt", flag="optimizer", metavar="NAME", help="optimizers",
          widget=Widget("multiselect", "Optimizers",
                        help="sgd: plain gradient descent; momentum: heavy ball (beta 0.9); adam: adaptive steps.")),
    Field("epochs", "epochs", int, low=1, high=MAX_EPOCHS, setting="epochs", default=200, url_key="epochs",
          flag="epochs", help="epochs per run",
          widget=Widget("text", "Epochs", help="{low} to {high} on this server; 1e3 means 1000.", high="max_epochs")),
    Field("batch_size", "batch size", int, low=1, high=MAX_SAMPLES, why="no dataset has more samples",
          none_as=FULL_BATCH, setting="batch_size", default=16, url_key="batch", flag="batch-size",
          help=f'samples per step, or "{FULL_BATCH}"', widget=Widget("select", "Batch size", options=BATCH_CHOICES)),
    Field("l2", "L2", float, low=0.0, setting="l2", default=0.0, url_key="l2", flag="l2", help="L2 weight decay",
          widget=Widget("number", "L2 weight decay", half=True, high=MAX_L2, step=0.0001, format="%.4f")),
    Field("seed", "seeds", int, low=0, high=MAX_SEED, many=True, grid="seeds", setting="n_seeds", count=True,
          default=1, url_key="seeds", flag="seeds", metavar="SEED", help="replicate seeds",
          widget=Widget("number", "Seeds", half=True, low=1, high=MAX_SEEDS, step=1,
                        help="Replicates with different initialisation and shuffling; curves show mean ± std.")),
    Field("n_samples", "samples", int, low=MIN_SAMPLES, high=lambda info: info.max_samples if info else MAX_SAMPLES,
          per_dataset=True, absent="it has a fixed size", url_key="n", flag="samples", help="samples per dataset",
          widget=Widget("number", "Samples", high="max_samples", step=50)),
    Field("noise", "noise", float, low=0.0, high=MAX_NOISE, per_dataset=True, absent="it has no noise option",
          url_key="noise", flag="noise", help="noise level",
          widget=Widget("number", "Noise", step=0.05, format="%.2f")),
    Field("test_fraction", "test fraction", float, low=MIN_TEST_FRACTION, high=MAX_TEST_FRACTION, per_dataset=True,
          absent="its test set is its training set", url_key="test", flag="test-fraction", help="held-out fraction",
          widget=Widget("slider", "Test fraction", step=0.05)),
    Field("data_seed", "data seed", int, low=0, high=MAX_SEED, flag="data-seed", help="seed of the data split"),
]


def field_named(name):
    return next(row for row in FIELDS if row.name == name)


def data_options():
    """The rows of the data options (per dataset), in order."""
    return [row for row in FIELDS if row.per_dataset]


def app_fields():
    """The rows the app sets once per comparison: an AppSettings attribute each (data options are per dataset)."""
    return [row for row in FIELDS if row.setting and not row.per_dataset]


# ----- the library's door: values as a RunSpec holds them -----
def check(row, value, info=None):
    """``value`` as a run may have it, or ValueError in the library's words: the field's RunSpec name, what
    is allowed and what came in. ``info``: the dataset's registry entry, for a data option."""
    name = row.name
    if row.choices is not None:
        return check_choice(name, value, row.choices())
    if row.type == ARCHITECTURE:
        return canonical_architecture(value)
    if value is None and row.none_as:
        return None
    low, high = row.bounds(info)
    why = f" ({row.why})" if row.why else ""
    if row.type is int:
        if not row.why:
            return check_int(name, value, minimum=low, maximum=high)
        value = check_int(name, value, minimum=low)
        if high is not None and value > high:
            raise ValueError(f"'{name}' must be at most {high}{why}; got {value}.")
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"'{name}' must be a number; got {value!r}.")
    value = check_positive_float(name, value, allow_zero=low == 0 or high is not None)
    if low <= value and (high is None or value <= high):
        return value
    if high is None:
        raise ValueError(f"'{name}' must be at least {low:g}{why}; got {value!r}.")
    if low == 0:
        raise ValueError(f"'{name}' must be at most {high}{why}; got {value!r}.")
    raise ValueError(f"'{name}' must be in [{low}, {high}]{why}; got {value!r}.")


# ----- the app's door: text typed, in a link or in a runs.csv cell -----
def read(row, text):
    """The value ``text`` gives ``row``, or ValueError in the app's words (its label, the text as it came).
    A whole number below 1 (below 0 if the field allows 0) or a negative number is refused; a value of a
    list (``app_many``) outside the field's bounds is refused; a single one is kept, for ``clamp`` to bring
    within what the app shows."""
    text = str(text).strip()
    label = row.label
    if row.choices is not None:
        if text not in row.choices():
            raise ValueError(f"unknown {label} {echo(text)}; choose from {', '.join(sorted(row.choices()))}.")
        return text
    if row.type == ARCHITECTURE:
        return canonical_architecture(text)
    if row.none_as and text == row.none_as:
        return text
    low, high = app_range(row)
    if row.type is int:
        value = read_whole(text, label)
        if value < min(low, 1):
            raise ValueError(f"{label} must be at least {min(low, 1)}; got {value}.")
    else:
        if row.app_many and DECIMAL_COMMA.fullmatch(text):
            raise ValueError(f"{label} {echo(text)} has a comma between digits: write decimals with a point "
                             f"({text.replace(',', '.')}) and separate {label.split()[-1]}s with ', ' or ';'.")
        value = read_number(text, label)
        allow_zero = low == 0 or high is not None
        if value < 0 or (value == 0 and not allow_zero):
            raise ValueError(f"{label} must be a finite number {'>= 0' if allow_zero else '> 0'}; got {echo(text)}.")
    if row.app_many and not (low <= value and (high is None or value <= high)):
        allowed = f"at least {low:g}" if high is None else f"between {low:g} and {high:g}"
        raise ValueError(f"{label} must be {allowed}; got {echo(text)}.")
    return value


def read_typed(row, text, caps):
    """A single number typed in the sidebar: ``read``, and refused (not clamped) outside what the app allows."""
    value = read_whole(str(text).strip(), row.label) if row.type is int else read(row, text)
    low, high = app_range(row, caps)
    if value < low or (high is not None and value > high):
        allowed = f"at least {low}" if high is None else f"between {low} and {high}"
        raise ValueError(f"{row.label} must be {allowed}; got {value}.")
    return value


def app_range(row, caps=None, info=None):
    """(lowest, highest) value of ``row`` this app's widgets show: the field's bounds, narrowed by its
    widget's (a server cap named by the widget is read from ``caps``, a dict of Limits attributes; without
    ``caps`` it is left out). For a counted setting (seeds), the count's range."""
    low, high = row.bounds(info)
    widget = row.widget
    if widget is not None and widget.low is not None:
        low = widget.low
    if widget is not None and widget.high is not None:
        cap = widget.high if not isinstance(widget.high, str) else (caps or {}).get(widget.high)
        if cap is not None:
            high = cap if high is None else min(cap, high)
    return low, high


def clamp(row, value, caps, info=None):
    """The value nearest ``value`` that this app's widgets can show (a select's nearest option)."""
    if row.type not in (int, float) or (row.none_as and value == row.none_as):
        return value
    if row.widget is not None and row.widget.kind == "select":
        return min((option for option in row.widget.options if option != row.none_as),
                   key=lambda option: abs(option - value))
    low, high = app_range(row, caps, info)
    return min(max(value, low), math.inf if high is None else high)


def as_text(value):
    """A value as a link writes it."""
    return f"{value:g}" if isinstance(value, float) else str(value)
