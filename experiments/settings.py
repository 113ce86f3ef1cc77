"""What a visitor chose in the app, as one dataclass, with its mirror in the URL query string."""
import math
import re
from dataclasses import asdict, dataclass, field, fields, replace

import nn

from .datasets import DATASETS
from .specs import expand_grid, format_architecture, parse_architecture

PRESET_ARCHITECTURES = ["[25, 2]", "[25, 8, 2]", "[25, 16, 8, 2]", "[25, 32, 16, 2]", "[25, 64, 2]",
                        "[25, 16, 16, 16, 2]", "[25, 8, 8, 8, 8, 8, 2]"]
PRESET_LRS = [1.0, 0.5, 0.1, 0.05, 0.01, 0.001]
BATCH_CHOICES = [1, 8, 16, 32, 64, 128, "full"]
MAX_SEEDS = 10
OPTION_KEYS = {"n_samples": "n", "noise": "noise", "test_fraction": "test"}  # dataset option -> URL suffix


@dataclass(frozen=True)
class AppSettings:
    """Defaults reproduce the classic figure: edge patches, three architectures, relu, lr 0.1, 200 epochs,
    batch 16."""

    datasets: tuple = ("edge",)
    architectures: tuple = ("[25, 2]", "[25, 8, 2]", "[25, 16, 8, 2]")
    activations: tuple = ("relu",)
    lrs: tuple = (0.1,)
    optimizers: tuple = ("sgd",)
    epochs: int = 200
    batch_size: object = 16  # an int or "full"
    l2: float = 0.0
    n_seeds: int = 1
    dataset_options: dict = field(default_factory=dict)  # name -> {"n_samples", "noise", "test_fraction"}

    def specs(self, catalog=None):
        """The grid as RunSpecs; ValueError with a clear message if a value is not allowed."""
        if not 1 <= self.n_seeds <= MAX_SEEDS:
            raise ValueError(f"number of seeds must be between 1 and {MAX_SEEDS}; got {self.n_seeds}.")
        options = {name: {k: v for k, v in self.dataset_options.get(name, {}).items() if v is not None}
                   for name in self.datasets}
        return expand_grid(datasets=self.datasets, architectures=self.architectures, activations=self.activations,
                           lrs=self.lrs, optimizers=self.optimizers, seeds=tuple(range(self.n_seeds)),
                           epochs=self.epochs, batch_size=None if self.batch_size == "full" else self.batch_size,
                           l2=self.l2, dataset_options=options, catalog=catalog)

    def to_query(self):
        """Query parameters for a share link: only what differs from the defaults."""
        default, query = AppSettings(), {}
        shared = replace(self, datasets=tuple(d for d in self.datasets if d in DATASETS))  # uploads stay private
        self = shared if shared.datasets else replace(shared, datasets=default.datasets)
        names = {"datasets": "dataset", "architectures": "arch", "activations": "act", "lrs": "lr",
                 "optimizers": "opt", "epochs": "epochs", "batch_size": "batch", "l2": "l2", "n_seeds": "seeds"}
        for attribute, key in names.items():
            value = getattr(self, attribute)
            if value != getattr(default, attribute):
                query[key] = [_format_value(v) for v in value] if isinstance(value, tuple) else _format_value(value)
        for name in self.datasets:
            for option, suffix in OPTION_KEYS.items():
                value = self.dataset_options.get(name, {}).get(option)
                if value is not None and value != getattr(DATASETS[name], option):
                    query[f"{name}.{suffix}"] = _format_value(value)
        return query

    @classmethod
    def from_query(cls, query):
        """(settings, problems) from {key: [values]}; a bad value is reported and its default kept."""
        settings, problems = cls(), []

        def values(key):
            raw = query.get(key, [])
            return [raw] if isinstance(raw, str) else list(raw)

        def convert_each(key, items, convert):
            good = []
            for item in items:
                try:
                    good.append(convert(item))
                except ValueError as error:
                    problems.append(f"link parameter {key}: {error}")
            return good

        def take(key, attribute, convert, many):
            nonlocal settings
            items = values(key)
            good = convert_each(key, items if many else items[-1:], convert)
            if good:
                settings = replace(settings, **{attribute: tuple(good) if many else good[0]})

        take("dataset", "datasets", lambda v: _choice(v, DATASETS, "dataset"), True)
        take("arch", "architectures", lambda v: format_architecture(parse_architecture(v)), True)
        take("act", "activations", lambda v: _choice(v, nn.ACTIVATIONS, "activation"), True)
        take("lr", "lrs", parse_lr, True)
        take("opt", "optimizers", lambda v: _choice(v, nn.OPTIMIZERS, "optimizer"), True)
        take("epochs", "epochs", lambda v: _integer(v, "epochs", 1), False)
        take("batch", "batch_size", lambda v: "full" if v == "full" else _integer(v, "batch size", 1), False)
        take("l2", "l2", lambda v: _number(v, "L2", allow_zero=True), False)
        take("seeds", "n_seeds", lambda v: _integer(v, "seeds", 1, MAX_SEEDS), False)
        options = {}
        for name in settings.datasets:
            for option, suffix in OPTION_KEYS.items():
                key = f"{name}.{suffix}"
                convert = (lambda v, o=option: _integer(v, o, 1)) if option == "n_samples" else (
                    lambda v, o=option: _number(v, o, allow_zero=True))
                good = convert_each(key, values(key)[-1:], convert)
                if good:
                    options.setdefault(name, {})[option] = good[0]
        return replace(settings, dataset_options=options), problems

    def as_dict(self):
        return asdict(self)


SETTING_FIELDS = [f.name for f in fields(AppSettings)]


def _format_value(value):
    return f"{value:g}" if isinstance(value, float) else str(value)


def _choice(value, choices, name):
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; choose from {', '.join(sorted(choices))}.")
    return value


def _number(text, name, allow_zero=False):
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number; got {text!r}.") from None
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be a finite number {'>= 0' if allow_zero else '> 0'}; got {text!r}.")
    return value


def _integer(text, name, minimum, maximum=None):
    try:
        value = int(str(text).strip())
    except ValueError:
        raise ValueError(f"{name} must be a whole number; got {text!r}.") from None
    if value < minimum or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be between {minimum} and {maximum or 'any size'}; got {value}.")
    return value


def parse_lr(text):
    return _number(text, "learning rate")


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
