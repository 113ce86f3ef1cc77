"""What the class board page draws (docs/board.md), from the board's entries and their stored results: the
ranking as a table, and the leader's curves and boundary panel beside another entry's, as one payload each
for the canvas renderer (the curves of both in one chart, their panels side by side). Pure: no Streamlit,
no store; an entry's results are the runs of its configuration on the board's seeds (``Results.subset``).
"""
import pandas as pd

from ..architectures import adapt_layers, format_architecture, parse_architecture
from ..fields import NO_ACTIVATION
from .common import CONFIG_PALETTE
from .panels import panels_payload
from .series import MARKS, curves_payload

BOARD_PANEL_MIN = 200  # pixels: two panels fill the half of the page beside the curves (the app's are 118)
RANKING_COLUMNS = ["you", "rank", "nickname", "test %", "parameters", "network", "activation", "optimizer", "lr",
                   "batch", "L2", "posted"]


def entry_id(entry):
    """A name for ``entry`` (a boards.Entry) that stays the same as the ranking changes around it."""
    return f"{entry.created!r}:{entry.comparison_key[:16]}:{entry.nickname}"


def entry_name(entry):
    """How the board's charts name an entry: its rank and nickname ("2. ada"); unique on one board."""
    return f"{entry.rank}. {entry.nickname}"


def network_as_run(architecture, info):
    """The layers ``architecture`` runs with on the dataset ``info`` describes: "[25, 8, 2]" -> "[2, 8, 2]"."""
    return format_architecture(adapt_layers(parse_architecture(architecture), info.n_features, info.n_classes))


def configuration_label(configuration, info):
    """A configuration in one line, its network as it runs on the board's data: "[2, 16, 2] · tanh · sgd ·
    lr 0.5 · batch 16 · L2 0" (no activation for a network without a hidden layer)."""
    batch = configuration.get("batch_size")
    parts = [network_as_run(configuration["architecture"], info), configuration.get("activation", "relu"),
             configuration.get("optimizer", "sgd"), f"lr {configuration.get('lr', 0.1):g}",
             "full batch" if batch is None else f"batch {batch}", f"L2 {configuration.get('l2', 0.0):g}"]
    return " · ".join(part for part in parts if part != NO_ACTIVATION)


def age(seconds):
    """How long ago, in words a ranking reads at a glance: "just now", "4 min ago", "2 h ago", "3 days ago"."""
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 2 * 86400:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} days ago"


def ranking_table(entries, info, now, mine=()):
    """The ranking as a table, best first: rank, nickname, mean test accuracy in percent, parameters, the
    configuration (its network as run on the board's data) and when it was posted; ``mine``: the entry_ids
    of the visitor's own entries, marked in the first column. The nickname stays text (never Markdown)."""
    rows = []
    for entry in entries:
        configuration = entry.configuration
        rows.append({"you": "you" if entry_id(entry) in mine else "", "rank": entry.rank, "nickname": entry.nickname,
                     "test %": round(100.0 * entry.test_acc, 1), "parameters": entry.n_params,
                     "network": network_as_run(configuration["architecture"], info),
                     "activation": configuration["activation"], "optimizer": configuration["optimizer"],
                     "lr": configuration["lr"],
                     "batch": "full" if configuration["batch_size"] is None else str(configuration["batch_size"]),
                     "L2": configuration["l2"], "posted": age(max(0.0, now - entry.created))})
    return pd.DataFrame(rows, columns=RANKING_COLUMNS)


def board_payloads(named, dataset):
    """(curves, panels) for the canvas renderer: the entries ``named`` [(name, Results)] drawn together, the
    leader first, each in a colour of its own. Each Results holds one entry's runs (one configuration on the
    board's seeds): one curve each (the mean over the seeds, with its spread) and one boundary panel each
    (its first seed), named by ``name``. An entry without a trained network has a curve and no panel."""
    curves = {"view": "curves", "id": "board:" + "|".join(results.token for _, results in named), "facets": [],
              "series": [], "legend": [], "epochs": 1}
    section = None
    for index, (name, results) in enumerate(named):
        color = CONFIG_PALETTE[index % len(CONFIG_PALETTE)]
        drawn = curves_payload(results)
        curves["facets"] = curves["facets"] or drawn["facets"]
        curves["epochs"] = max(curves["epochs"], drawn["epochs"])
        for series in drawn["series"]:
            curves["series"].append({**series, "key": name, "label": name, "color": color, "group": name,
                                     "facet": 0})
            curves["legend"].append({"name": name + MARKS.get(series["mark"], ""), "color": color, "group": name})
        boundary = panels_payload(results, [dataset])["sections"][0]
        if section is None or section.get("empty"):
            section = {**boundary, "panels": []}
        seeds = dict(zip(results.runs["run_id"], results.runs["seed"]))
        section["panels"] += [{**panel, "key": name, "label": name, "title": [name, f"seed {seeds[panel['run']]}"],
                               "color": color} for panel in boundary["panels"]]
    return curves, {"view": "panels", "sections": [section] if section else [], "panel_min": BOARD_PANEL_MIN}
