"""Shared by every figure: the palettes, one colour per configuration (or shades of one hue per level of a
design factor), what a chart of many configurations colours and facets, smoothing, facets, the projection of
many features onto a plane, and the message of a view that does not apply."""
import colorsys
import html
import math
import weakref
from typing import NamedTuple

import numpy as np
from plotly.colors import qualitative

from ..grids import projection  # noqa: F401 - figures import it from here
from ..results import CONFIG_COLUMNS, LABEL_PARTS
from ..specs import NO_ACTIVATION, hidden_layers

# 48 colours that differ from one another: the configurations of a comparison never share one (up to 48)
CONFIG_PALETTE = qualitative.Dark24 + qualitative.Light24


# The classes' colours: muted earth tones, far from the saturated colours the first configurations get above
# and from the level hues below, so that a blue configuration's panel does not seem to speak of a blue class.
# Two classes are brown and teal (the ends of ColorBrewer's BrBG, safe for colour-blind readers).
CLASS_COLORS = ["#8c510a", "#01665e", "#5e6e8c", "#b0766f", "#6b8e23", "#cc9966", "#7f7f7f", "#999966",
                "#663333", "#80cdc1"]


BINARY_SCALE = [[0.0, CLASS_COLORS[0]], [0.5, "#f5f5f5"], [1.0, CLASS_COLORS[1]]]  # P(class 1)


def class_colors(n_classes):
    """The colours of ``n_classes`` classes: CLASS_COLORS, then the same hues darker and lighter (up to 30)."""
    colors = []
    for index in range(n_classes):
        base, turn = CLASS_COLORS[index % len(CLASS_COLORS)], index // len(CLASS_COLORS)
        colors.append(base if turn == 0 else shades(base, 3)[0 if turn % 2 else 2])
    return colors


VARYING_FIELDS = ["architecture", "activation", "lr", "optimizer", "batch_size", "l2", "epochs"]

# One hue per level of the factor a chart is coloured by: far apart on the colour wheel, none grey
LEVEL_HUES = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#17becf", "#e377c2", "#bcbd22"]
MAX_COLOR_LEVELS, MAX_FACET_LEVELS = 8, 4
FACTOR_TITLES = {"batch_size": "batch size", "l2": "L2"}  # the others are written as their column


def text(value):
    """A name from the data or a file, for a chart: Plotly renders some HTML in titles, legends and hover
    text (links among it), so it is escaped and shown as written."""
    return html.escape(str(value), quote=False)


class DoesNotApply(ValueError):
    """This view has nothing to show for these results; the message says why."""


def config_colors(results, color_by=None):
    """label -> colour, in the order configurations first appear; the same in every chart. By default each
    configuration gets its own colour of CONFIG_PALETTE. With ``color_by`` (a design factor that varies, see
    ``curve_encoding``) each level of that factor gets one hue and its configurations shades of it, dark to
    light in the order they first appear: every configuration still has a colour of its own."""
    check_factor(results.runs, "color_by", color_by)
    run_labels = results.labels()
    labels = list(dict.fromkeys(run_labels.values()))
    if color_by is None:
        return {label: CONFIG_PALETTE[i % len(CONFIG_PALETTE)] for i, label in enumerate(labels)}
    members = {}  # level -> its configurations' labels, both in order of appearance
    for label, level in label_levels(results, color_by).items():
        members.setdefault(level, []).append(label)
    colors = {}
    for hue, group in zip(level_colors(list(members)).values(), members.values()):
        colors.update(zip(group, shades(hue, len(group))))
    return colors


def label_levels(results, factor):
    """label -> its level of ``factor`` (as written by ``factor_levels``), in order of appearance."""
    levels = factor_levels(results.runs, factor)
    run_labels = results.labels()
    pairs = {}
    for run_id, level in zip(results.runs["run_id"], levels):
        pairs.setdefault(run_labels[run_id], level)
    return pairs


def level_colors(levels):
    """level -> its hue: LEVEL_HUES, or hues evenly round the colour wheel when there are more levels."""
    if len(levels) <= len(LEVEL_HUES):
        return dict(zip(levels, LEVEL_HUES))
    return {level: _hex(colorsys.hls_to_rgb((0.58 + i / len(levels)) % 1.0, 0.45, 0.7))
            for i, level in enumerate(levels)}


def shades(hex_color, n):
    """``n`` distinct shades of one hue, dark to light around its own lightness (one: the colour itself)."""
    if n == 1:
        return [hex_color]
    hue, _, saturation = colorsys.rgb_to_hls(*(int(hex_color.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)))
    half = min(0.25, 0.09 * (n - 1))
    lightnesses = np.linspace(0.5 - half, 0.5 + half, n)
    return [_hex(colorsys.hls_to_rgb(hue, lightness, saturation)) for lightness in lightnesses]


def _hex(rgb):
    return "#" + "".join(f"{round(255 * channel):02x}" for channel in rgb)


# ----- what a chart of many configurations encodes -----
class Encoding(NamedTuple):
    """The design factor shown by colour (hues, shades for the rest) and the one shown by facets; None: no
    factor (one colour per configuration; one facet per dataset)."""

    color_by: str | None
    facet_by: str | None


def factor_levels(runs, factor):
    """Each run's level of a design factor, as text: "0.1" for lr, the layers as run for the architecture
    on one dataset (as the labels name them), "none" for the activation of a network without a hidden layer."""
    if factor == "architecture" and "layers" in runs and runs["dataset"].nunique() == 1:
        return runs["layers"].astype(str)
    levels = runs[factor].map(lambda v: f"{v:g}" if isinstance(v, float) else str(v))
    if factor == "activation" and "layers" in runs:
        levels = levels.where(runs["layers"].astype(str).map(hidden_layers) > 0, "none")
    return levels


_VARYING = {}  # id(runs) -> (a weak reference to that runs table, its length, its varying factors)


def varying_factors(runs):
    """{design factor: its levels in order of appearance} for those of VARYING_FIELDS with more than one.
    Kept per runs table while it lives (a results page asks a dozen times); a new table is looked at anew."""
    memo = _VARYING.get(id(runs))
    if memo is not None and memo[0]() is runs and memo[1] == len(runs):
        return {factor: list(levels) for factor, levels in memo[2].items()}
    found = _varying_factors(runs)
    key = id(runs)
    _VARYING[key] = (weakref.ref(runs, lambda _: _VARYING.pop(key, None)), len(runs), found)
    return {factor: list(levels) for factor, levels in found.items()}


def _varying_factors(runs):
    found = {}
    for factor in VARYING_FIELDS:
        values = runs[factor] if factor in runs else None
        if factor == "activation" and values is not None:  # "none" (no hidden layer) is no second activation
            values = values[values != NO_ACTIVATION]
        if values is not None and values.astype(str).nunique() > 1:
            levels = list(dict.fromkeys(factor_levels(runs, factor)))
            if len(levels) > 1:
                found[factor] = levels
    return found


def level_name(factor, level):
    """A level as a legend names it: "lr 0.1", "batch 32", "relu"."""
    return dict(LABEL_PARTS)[factor].format(text(level))


def factor_name(factor):
    """A design factor as a person writes it: "batch size" for batch_size."""
    return FACTOR_TITLES.get(factor, factor)


def factor_title(factor, level):
    """A facet's title: "activation: relu"."""
    return f"{factor_name(factor)}: {text(level)}"


def check_factor(runs, param, value):
    """``value`` if it is None or a design factor that varies in ``runs``; else a ValueError naming ``param``."""
    if value is None:
        return value
    if value not in VARYING_FIELDS:
        raise ValueError(f"'{param}' must be None or one of {VARYING_FIELDS}; got {value!r}.")
    varying = list(varying_factors(runs))
    if value not in varying:
        raise ValueError(f"'{param}' must be a setting that varies in these runs ({varying or 'none does'}); "
                         f"got {value!r}, which has one value.")
    return value


def curve_encoding(runs, color_by="auto", facet_by="auto"):
    """What a chart of these runs' configurations colours and facets: an Encoding of two design factors
    (VARYING_FIELDS; None: none). Each argument is "auto", None or a factor that varies in ``runs``.

    The automatic rule ranks the factors that vary by their number of levels, most first (ties in the order
    architecture, activation, lr, optimizer, batch_size, l2, epochs):
    - colour: the first with at most 8 levels (MAX_COLOR_LEVELS); None if every one has more;
    - facets: with one dataset, the first of the others with at most 4 levels (MAX_FACET_LEVELS), else None;
      with several datasets None: the facets are one per dataset.
    A factor given by the caller is never chosen for the other role. 18 configurations of 3 architectures x
    3 activations x 2 rates: colour by architecture (3 hues), one facet per activation."""
    several_datasets = "dataset" in runs and runs["dataset"].nunique() > 1
    for param, value in (("color_by", color_by), ("facet_by", facet_by)):
        if value != "auto":
            check_factor(runs, param, value)
    if facet_by not in (None, "auto") and several_datasets:
        raise ValueError(f"'facet_by' must be None or 'auto' when the runs are on several datasets (the facets "
                         f"are one per dataset); got {facet_by!r}.")
    if color_by == facet_by and color_by not in (None, "auto"):
        raise ValueError(f"'facet_by' must differ from 'color_by'; both are {color_by!r}.")
    varying = varying_factors(runs)
    ranked = sorted(varying, key=lambda factor: -len(varying[factor]))  # stable: ties keep VARYING_FIELDS order
    if color_by == "auto":
        color_by = next((f for f in ranked if f != facet_by and len(varying[f]) <= MAX_COLOR_LEVELS), None)
    if facet_by == "auto":
        facet_by = None if several_datasets else next(
            (f for f in ranked if f != color_by and len(varying[f]) <= MAX_FACET_LEVELS), None)
    return Encoding(color_by, facet_by)


def smooth(values, weight):
    """Exponential moving average with TensorBoard's debiasing; weight 0 leaves values as they are."""
    values = np.asarray(values, dtype=float)
    if weight <= 0 or len(values) == 0:
        return values
    out, last, debias = np.empty_like(values), 0.0, 1.0
    for i, value in enumerate(values):
        last = weight * last + (1 - weight) * value
        debias *= weight
        out[i] = last / (1 - debias)
    return out


def facet_grid(n_facets, max_cols=3):
    cols = min(n_facets, max_cols)
    return math.ceil(n_facets / cols), cols


def fade(hex_color, alpha):
    hex_color = hex_color.lstrip("#")
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def first_seed_runs(runs):
    """The lowest-seed run of each configuration (every setting but the seed), in run order."""
    config_columns = [c for c in CONFIG_COLUMNS if c in runs]
    firsts = runs.sort_values("seed", kind="stable").groupby(config_columns, dropna=False, sort=False).head(1)
    return firsts.sort_values("run_id")


def trained_network(results, run_id):
    """(dataset, network) of a run; DoesNotApply when it has none (it failed, or the results were read
    from CSV)."""
    if run_id not in results.networks:
        known = run_id in set(results.runs["run_id"]) if "run_id" in results.runs else False
        raise DoesNotApply(f"run {run_id!r} has no trained network" + (
            " (it did not finish, or the results were read from CSV)." if known else ": there is no such run."))
    return results.datasets[run_id], results.networks[run_id]


def run_title(results, run_id):
    runs = results.runs.set_index("run_id")
    if run_id not in runs.index:
        raise DoesNotApply(f"there is no run {run_id!r} in these results.")
    run = runs.loc[run_id]
    activation = "" if run["activation"] == NO_ACTIVATION else f" · {run['activation']}"  # none without a hidden layer
    # the architecture named as the labels name it: as run when the results have one dataset
    architecture = run["layers"] if "layers" in runs and runs["dataset"].nunique() == 1 else run["architecture"]
    return f"{run['dataset']} · {architecture}{activation} · lr {run['lr']:g} · seed {run['seed']}"

