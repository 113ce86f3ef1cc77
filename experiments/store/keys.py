"""The store's name for a comparison: a hex digest of its checked, canonical specs and snapshot count.

A comparison is a pure function of its specs (bit-identical whatever the workers), so the digest of a
canonical JSON of the specs' fields names its results for good: the same in every process, on every
machine and in every Python version (sorted keys, floats written with ``repr`` so 0.1 stays 0.1, ints
as ints). A spec is checked (``check_spec``: canonical, a built-in dataset's default options written out)
first, so "lines" and "lines with its default 300 samples" are one key, and lr=1 and lr=1.0 too.
"""
import hashlib
import json
import math
import numbers
import typing
from dataclasses import fields

KEY_FORMAT = 1  # bump when the canonical form changes, so old and new keys never collide
KEY_LENGTH = 64  # hex digits of SHA-256


def store_key(specs, snapshots):
    """The key of the comparison of ``specs`` (RunSpecs of built-in datasets) trained with ``snapshots``
    weight copies per drawn run, as 64 hex digits. A spec that check_spec refuses is a ValueError."""
    from nn.validation import check_int

    from ..specs import RunSpec, check_spec, comparison_key
    if isinstance(specs, RunSpec) or isinstance(specs, (str, bytes)) or not hasattr(specs, "__iter__"):
        raise ValueError(f"'specs' must be a list of RunSpecs; got {specs!r}.")
    checked = [check_spec(spec) for spec in specs]
    if not checked:
        raise ValueError("'specs' is empty; a comparison has at least one run.")
    snapshots = check_int("snapshots", snapshots, minimum=0, maximum=1000)
    canonical = comparison_key(checked)
    document = {"format": KEY_FORMAT, "snapshots": snapshots, "specs": [_spec_json(spec) for spec in canonical]}
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _spec_json(spec):
    """{field: value} with each value a JSON scalar of its field's declared type: a float field's 1 is 1.0."""
    return {field.name: _scalar(field, getattr(spec, field.name)) for field in fields(spec)}


def _scalar(field, value):
    if value is None or isinstance(value, str):
        return value
    kinds = typing.get_args(field.type) or (field.type,)
    if float in kinds and isinstance(value, numbers.Real) and not isinstance(value, bool):
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"'{field.name}' must be finite to name a comparison; got {value!r}.")
        return value
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    raise ValueError(f"'{field.name}' has a value a comparison key cannot hold: {value!r}.")


def is_key(text):
    """True for 64 lowercase hex digits (what ``store_key`` makes); anything else names no comparison."""
    return isinstance(text, str) and len(text) == KEY_LENGTH and all(c in "0123456789abcdef" for c in text)
