"""Architectures as people write them: "[25, 8, 2]", "25,8,2", "25-8-2" or "25 8 2" read as one list of
layer widths, written back one way, and adapted to a dataset's inputs and classes. The one parser of
architectures: the settings table (fields.py), check_spec, saved runs.csv files and the charts read with it."""
import re
from functools import lru_cache

from nn.validation import check_layer_sizes

from .numbers import echo


def parse_architecture(text):
    """'[25, 8, 2]', '25,8,2', '25-8-2' or '25 8 2' (or a list of ints) -> [25, 8, 2]."""
    if isinstance(text, (list, tuple)):
        return check_layer_sizes(list(text), name=f"architecture {_shown(text)}")
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"architecture must be written like [25, 8, 2]; got {text!r}.")
    return list(_parse_text(text))


@lru_cache(maxsize=1024)
def _parse_text(text):
    """The work of parse_architecture for a text, once per distinct text (a grid repeats each many times)."""
    name = f"architecture {_shown(text)}"
    body = text.strip()
    if body[:1] in "[(" and body[-1:] in "])":
        body = body[1:-1].strip()
    if re.search(r"[,\s]", body):
        parts = [part.strip() for part in re.split(r"\s*,\s*|\s+", body)]
    else:  # 25-8-2
        parts = body.split("-")
    if any(part == "" for part in parts):
        raise ValueError(f"{name} has an empty entry; write it like [25, 8, 2].")
    for part in parts:
        if not re.fullmatch(r"[+-]?[0-9]{1,9}", part):  # ASCII digits only: "٢٥" and "２５" are refused
            raise ValueError(f"{name} has {_shown(part)}, which is not a whole number of units; write it like "
                             "[25, 8, 2].")
    return tuple(check_layer_sizes([int(part) for part in parts], name=name))


def _shown(value):
    """A value for a message, quoted and cut short (a link or a typo can be thousands of characters)."""
    return echo(value) if isinstance(value, str) else echo(repr(value))[1:-1]


def format_architecture(sizes):
    return "[" + ", ".join(str(size) for size in sizes) + "]"


def canonical_architecture(text):
    """``text`` written as this project writes architectures: "25-8-2" -> "[25, 8, 2]"."""
    return format_architecture(parse_architecture(text))


def adapt_layers(sizes, n_features, n_classes):
    """Keep the hidden layers; take the input and output widths from the dataset."""
    return [n_features, *sizes[1:-1], n_classes]


def hidden_layers(architecture):
    """How many hidden layers an architecture (as written anywhere: a spec, runs.csv's layers) has."""
    return len(parse_architecture(architecture)) - 2


def has_hidden_layer(architecture):
    return len(parse_architecture(architecture)) > 2


def count_params(layers):
    """Weights and biases of a network with these layer widths: sum of n_in * n_out + n_out."""
    return sum(n_in * n_out + n_out for n_in, n_out in zip(layers[:-1], layers[1:]))
