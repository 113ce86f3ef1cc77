"""Readable when many things vary: what the curves colour and facet, shades of one hue per level, and the same
colour for a configuration in the curves, the boundary panels and the film."""
import colorsys
import itertools

import pandas as pd
import pytest

from experiments import figures
from experiments.figures import CONFIG_PALETTE, Encoding, config_colors, curve_encoding
from experiments.runner import run_grid
from experiments.specs import expand_grid


def runs_table(datasets=("circles",), architectures=("[2, 8, 2]",), activations=("relu",), lrs=(0.1,),
               optimizers=("sgd",)):
    """A runs table of the product of these settings (one seed), as run_grid would write it."""
    rows = [{"dataset": d, "architecture": a, "layers": a, "activation": act, "lr": lr, "optimizer": o,
             "epochs": 10, "batch_size": 16, "l2": 0.0, "seed": 0, "status": "ok"}
            for d, a, act, lr, o in itertools.product(datasets, architectures, activations, lrs, optimizers)]
    return pd.DataFrame(rows).assign(run_id=lambda t: range(len(t)))


ARCHS = ("[2, 8, 2]", "[2, 16, 2]", "[2, 8, 8, 2]")
LRS = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 20.0, 30.0, 50.0)


@pytest.mark.parametrize("settings, expected", [
    ({"activations": ("relu", "tanh", "sigmoid")}, ("activation", None)),  # one factor: coloured, no facets
    ({"architectures": ARCHS, "activations": ("relu", "tanh", "sigmoid"), "lrs": (0.1, 0.3)},
     ("architecture", "activation")),  # 18 configurations: ties go to the architecture, then the activation
    ({"activations": ("relu", "tanh", "sigmoid"), "lrs": LRS[:6]}, ("lr", "activation")),  # most levels coloured
    ({"architectures": ARCHS[:2], "activations": ("relu", "tanh", "sigmoid"), "lrs": LRS},
     ("activation", "architecture")),  # 12 rates are too many hues and too many facets
    ({"activations": ("relu", "tanh", "sigmoid", "leaky_relu", "gelu"), "lrs": LRS[:5]},
     ("activation", None)),  # 5 levels each: the tie goes to the activation; 5 facets are too many
    ({"datasets": ("circles", "moons"), "architectures": ARCHS, "activations": ("relu", "tanh")},
     ("architecture", None)),  # several datasets: their facets stay
    ({}, (None, None)),  # nothing varies
])
def test_the_automatic_encoding_follows_what_varies(settings, expected):
    assert curve_encoding(runs_table(**settings)) == Encoding(*expected)


def test_a_chosen_factor_is_kept_and_the_other_follows_the_rule():
    runs = runs_table(architectures=ARCHS, activations=("relu", "tanh", "sigmoid"), lrs=(0.1, 0.3))
    assert curve_encoding(runs, color_by="lr") == ("lr", "architecture")
    assert curve_encoding(runs, facet_by="architecture") == ("activation", "architecture")
    assert curve_encoding(runs, color_by=None) == (None, "architecture")
    assert curve_encoding(runs, color_by="activation", facet_by=None) == ("activation", None)


def test_a_network_without_a_hidden_layer_has_no_activation_level():
    runs = runs_table(architectures=("[2, 2]", "[2, 8, 2]"), activations=("relu", "tanh")).drop_duplicates(
        subset=["architecture", "activation"]).iloc[[0, 2, 3]]  # [2, 2] trained once
    assert figures.varying_factors(runs)["activation"] == ["none", "relu", "tanh"]
    one_activation = runs_table(architectures=("[2, 2]", "[2, 8, 2]"))
    assert list(figures.varying_factors(one_activation)) == ["architecture"]  # "none" alone is no variation
    now = one_activation.assign(activation=["none", "relu"])  # as the runs say it now
    assert list(figures.varying_factors(now)) == ["architecture"]  # the depth lesson: no facets by activation


def test_varying_factors_are_kept_per_table_and_each_table_is_looked_at_anew():
    runs = runs_table(architectures=ARCHS, lrs=(0.1, 0.3))
    first = figures.varying_factors(runs)
    first["lr"].append("changed by a caller")  # a copy: what the next caller gets is untouched
    assert figures.varying_factors(runs) == {"architecture": first["architecture"], "lr": ["0.1", "0.3"]}
    fewer = runs[runs["lr"] == 0.1]  # a new table (a new result) with fewer factors
    assert list(figures.varying_factors(fewer)) == ["architecture"]
    longer = pd.concat([runs, runs_table(architectures=ARCHS, activations=("tanh",), lrs=(0.1, 0.3))])
    assert list(figures.varying_factors(longer)) == ["architecture", "activation", "lr"]


@pytest.mark.parametrize("arguments, message", [
    ({"color_by": "colour"}, r"'color_by' must be None or one of \['architecture', 'activation', 'lr'.*got 'colour'"),
    ({"color_by": "optimizer"}, r"'color_by' must be a setting that varies in these runs \(\['architecture', "
                                r"'activation'\]\); got 'optimizer', which has one value"),
    ({"facet_by": "lr"}, r"'facet_by' must be a setting that varies.*got 'lr'"),
    ({"color_by": "activation", "facet_by": "activation"}, r"'facet_by' must differ from 'color_by'"),
])
def test_a_bad_factor_is_named(arguments, message):
    runs = runs_table(architectures=ARCHS, activations=("relu", "tanh"))
    with pytest.raises(ValueError, match=message):
        curve_encoding(runs, **arguments)


def test_facets_by_a_setting_need_one_dataset():
    runs = runs_table(datasets=("circles", "moons"), activations=("relu", "tanh"))
    with pytest.raises(ValueError, match="'facet_by' must be None or 'auto' when the runs are on several datasets"):
        curve_encoding(runs, facet_by="activation")


# ----- on trained results -----
@pytest.fixture(scope="module")
def results():
    return run_grid(expand_grid(datasets=["circles"], architectures=["[2, 8, 2]", "[2, 8, 8, 2]"],
                                activations=["relu", "tanh"], lrs=[0.1, 0.3, 1.0], epochs=8), snapshots=3)


def hue(hex_color):
    return colorsys.rgb_to_hls(*(int(hex_color[i:i + 2], 16) / 255 for i in (1, 3, 5)))[0]


def apart(hue_a, hue_b):
    """The distance between two hues on the colour wheel (0 to 0.5)."""
    return min(abs(hue_a - hue_b), 1 - abs(hue_a - hue_b))


def test_each_configuration_keeps_its_own_colour_by_default(results):
    labels = list(dict.fromkeys(results.labels().values()))
    assert config_colors(results) == dict(zip(labels, CONFIG_PALETTE))


def test_colour_by_a_factor_gives_one_hue_per_level_and_distinct_shades(results):
    colors = config_colors(results, "lr")
    assert len(colors) == 12 and len(set(colors.values())) == 12  # every configuration its own colour
    by_level = {}
    for label, color in colors.items():
        by_level.setdefault(label.split(" · ")[-1], []).append(color)
    assert sorted(by_level) == ["lr 0.1", "lr 0.3", "lr 1"] and all(len(c) == 4 for c in by_level.values())
    hues = [[hue(c) for c in shades] for shades in by_level.values()]
    assert all(apart(h[0], other) < 0.01 for h in hues for other in h)  # one hue family per rate ...
    assert all(apart(a[0], b[0]) > 0.1 for a, b in itertools.combinations(hues, 2))  # ... another for each rate


def test_the_legend_has_one_entry_per_colour_level_and_the_line_styles(results):
    fig = figures.learning_curves_figure(results, color_by="activation")
    legend = [t.name for t in fig.data if t.showlegend is not False]
    assert legend == ["relu", "tanh", "train", "test"]
    colors = config_colors(results, "activation")
    lines = [t for t in fig.data if t.mode == "lines" and t.x[0] is not None]
    assert len(lines) == 2 * 12 and all(t.line.color == colors[t.name] for t in lines)  # hover names it all
    assert {t.legendgroup for t in lines} == {"level relu", "level tanh"}  # a legend click hides a level
    rates = figures.learning_curves_figure(results, color_by="lr")
    assert len([t for t in rates.data if t.showlegend is not False]) == 3 + 2


def test_facets_by_a_setting_have_its_levels_as_titles(results):
    fig = figures.learning_curves_figure(results, color_by="lr", facet_by="activation")
    assert [a.text for a in fig.layout.annotations] == ["activation: relu", "activation: tanh"]
    lines = [t for t in fig.data if t.mode == "lines" and t.x[0] is not None]
    assert {t.xaxis for t in lines if "relu" in t.name} == {"x"}
    assert {t.xaxis for t in lines if "tanh" in t.name} == {"x2"}
    assert fig.layout.yaxis2.matches == "y"  # the facets share their loss axis
    with pytest.raises(ValueError, match="'facet_by' must be a setting that varies"):
        figures.learning_curves_figure(results, facet_by="optimizer")
    with pytest.raises(ValueError, match="'color_by' must be None or one of"):
        figures.learning_curves_figure(results, color_by="colour")


def test_highlight_and_diverged_runs_still_show_with_a_colour_encoding(results):
    import copy
    chosen = next(label for label in config_colors(results) if label.endswith("lr 1"))
    fig = figures.learning_curves_figure(results, highlight=(chosen,), color_by="lr")
    lines = [t for t in fig.data if t.mode == "lines" and t.x[0] is not None]
    assert {t.opacity for t in lines if t.name == chosen} == {1.0}
    assert {t.opacity for t in lines if t.name != chosen} == {0.2}
    broken = copy.copy(results)
    broken.runs = results.runs.copy()
    broken.runs.loc[broken.runs["lr"] == 1.0, "status"] = "diverged"
    legend = [t.name for t in figures.learning_curves_figure(broken, color_by="lr").data if t.showlegend is not False]
    assert legend == ["lr 0.1", "lr 0.3", "lr 1 ✕ diverged", "train", "test"]


def panel_bar_colors(fig):
    """The colours of the bars on top of the panels, in panel order."""
    bars = [s for s in fig.layout.shapes if s.type == "line" and s.xref.endswith("domain")]
    return [s.line.color for s in sorted(bars, key=lambda s: int(s.xref.split()[0][1:] or 1))]


def test_boundary_panels_and_the_film_have_the_curves_colours(results):
    colors = config_colors(results, "lr")
    labels = results.labels()
    order = list(figures.boundary_panels(results, "circles")[0]["run_id"])
    fig = figures.decision_boundary_figure(results, "circles", color_by="lr")
    assert panel_bar_colors(fig) == [colors[labels[r]] for r in order]
    assert len(set(panel_bar_colors(fig))) == 12
    film = figures.film_payload(results, ("circles",), color_by="lr")["sections"][0]["panels"]
    panel_ids = [r for r in order if r in results.snapshots][:12]
    expected = [colors[labels[r]] for r in panel_ids]
    assert [panel["color"] for panel in film] == expected  # the canvas film: each panel in its curves' colour
    canvas_panels = figures.panels_payload(results, ("circles",), color_by="lr")["sections"][0]["panels"]
    assert [panel["color"] for panel in canvas_panels] == [colors[labels[r]] for r in order]
    assert panel_bar_colors(figures.decision_boundary_figure(results, "circles")) == [
        config_colors(results)[labels[r]] for r in order]  # without an encoding: the palette's colours
