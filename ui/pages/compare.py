"""Compare: the learning curves, the decision boundaries and the accuracy table of a comparison, together.
Before any run, the welcome: lessons that each restore a comparison worth seeing."""
from functools import partial

import streamlit as st

from experiments import figures
from experiments.figures import (MAX_PANELS, DoesNotApply, config_colors, curve_encoding, factor_name,
                                 varying_factors)
from experiments.figures.panels import FILM_PANELS
from experiments.lessons import LESSONS
from experiments.settings import AppSettings
from experiments.specs import NO_ACTIVATION

from ui import links, state, training
from ui.components import canvas
from ui.text import plain
from ui.widgets import lesson_cards


def show(view):
    if st.session_state.job is not None:  # while a comparison trains, its live view above is the page
        return
    if view.results is None:
        welcome(view)
        return
    headline(view.results)
    status(view)
    comparison(view.results)
    save_and_share(view)


@st.fragment(key="comparison")
def comparison(results):
    """The linked views: curves, boundaries and the accuracy table. Every control among them reruns this
    fragment, never the script (no data is loaded and no spec is checked, and the drawings come from the
    cache), or runs in the browser alone (the curves' metric, log scale and smoothing, the film's slider)."""
    datasets = list(dict.fromkeys(results.runs["dataset"]))
    highlight = selected_configurations(results)
    only = shown_configurations(results)
    if len(datasets) == 1 and results.networks:  # curves beside panels, the table under both: one screen
        curves_col, boundary_col = st.container(key="side_by_side_results").columns([1, 1], gap="medium")
        with curves_col:
            curves(results, highlight, only)
        with boundary_col:
            boundaries(results, datasets, highlight, only)
    else:
        curves(results, highlight, only)
        boundaries(results, datasets, highlight, only)
    accuracy(results)


MANY = 30  # above this many configurations (a configuration includes its dataset) the charts show ...
ENDS = 6  # ... the best and the worst few of each dataset, unless the visitor asks for all


def shown_configurations(results):
    """None (draw every configuration), or above MANY configurations the keys of each dataset's ENDS best and
    ENDS worst by mean test accuracy (best first), with a toggle to draw them all; says what it left out. The
    table always lists every one."""
    table = state.table(figures.accuracy_table, results)
    if len(table) <= MANY:
        return None
    shown, left_out = [], []
    for dataset, group in table.groupby("dataset", sort=False):
        ranked = list(group.sort_values("test acc %", ascending=False, na_position="last", kind="stable")["key"])
        ends = list(dict.fromkeys([*ranked[:ENDS], *ranked[-ENDS:]]))
        shown += ends
        if len(ranked) > len(ends):
            left_out.append(f"{len(ranked) - len(ends)} on {plain(dataset)}")
    if not left_out:  # every dataset has few enough: all of them are drawn
        return None
    cols = st.columns([3, 2], vertical_alignment="center")
    if cols[1].toggle(f"Show all {len(table)} configurations", key="show_all",
                      help="Every configuration in the curves and panels: slower to draw and harder to read."):
        return None
    several = table["dataset"].nunique() > 1
    cols[0].caption(f"The charts show the {ENDS} best and the {ENDS} worst configurations"
                    + (" of each dataset" if several else "") + f" (by mean test accuracy): {len(shown)} of "
                    f"{len(table)}. Left out: {', '.join(left_out)}; the table below lists all of them.")
    return tuple(shown)


# ----- before any run -----
def welcome(view):
    st.title("How does a network's design change what it learns?")
    st.markdown("Pick datasets, architectures, activations and learning rates in the sidebar: one small NumPy "
                "network trains every combination, and the loss curves, the decision boundaries and the accuracy "
                "table appear here together. Or start with a lesson: each is one click and a few seconds.")
    plan = view.plan
    if st.session_state.notice:  # e.g. a results link whose comparison is no longer kept
        st.info(plain(st.session_state.notice), icon=":material/info:")
    from_link = view.settings != AppSettings() and not plan.error and st.session_state.get("from_link") \
        and st.session_state.job is None
    if from_link:  # the one primary action of a share link's landing page
        runs = f"{len(plan.specs)} run{'s' if len(plan.specs) != 1 else ''}"
        st.button(f"Run the comparison from your link ({runs})", icon=":material/play_arrow:",
                  type="primary", key="run_main", on_click=training.start, args=(plan,))
    lesson_cards(first_primary=not from_link)
    st.caption("The lessons stay on the Lessons page once you have results. Not sure which learning rate to try? "
               "The Learning-rate finder page tests one in seconds.")


# ----- the results -----
STATUS_WORDS = {"stopped": "stopped part-way", "diverged": "diverged", "error": "failed"}


def headline(results):
    table = state.table(figures.accuracy_table, results)
    runs = results.runs
    lines = []
    for row in ([] if table.empty else table[table["best"] == "★"].to_dict("records")):
        settings = " · ".join(plain(v) for v in (row["runs as"], row["activation"], f"lr {row['lr']:g}",
                                                  row["optimizer"]) if v != NO_ACTIVATION)
        where = f" on {plain(row['dataset'])}" if table["dataset"].nunique() > 1 else ""
        lines.append(f"**Best{where}: {row['test acc %']:.1f}%** test accuracy · {settings}")
    seconds = runs.attrs.get("wall_seconds", runs["seconds"].sum())
    counts = runs["status"].value_counts()
    if runs.attrs.get("from_cache"):
        timing = " · shown at once: trained earlier on this server"
    else:
        timing = f" · trained in {seconds:.1f} s" if seconds == seconds else ""
    lines.append(f"{len(runs)} run{'s' if len(runs) != 1 else ''}"
                 + "".join(f" · {n} {STATUS_WORDS.get(status, status)}" for status, n in counts.items()
                           if status != "ok") + timing)
    if len(lines) == 2:  # one best: one line, so the charts start higher on the screen
        lines = [f"{lines[0]} — {lines[1]}"]
    st.markdown("  \n".join(lines[:4]))


def lesson_note(results_settings):
    """The lesson these results are, if they are one: its question and what to look for, beside the results
    (a teacher projecting the page keeps the point on the screen)."""
    if results_settings is None:
        return
    shown = results_settings.shareable().to_query()
    lesson = next((lesson for lesson in LESSONS if lesson.settings.to_query() == shown), None)
    if lesson is not None:
        st.info(f"**{lesson.title}: {lesson.question}** {lesson.look_for}", icon=":material/school:")


def status(view):
    s = st.session_state
    lesson_note(view.results_settings)
    if s.notice:
        st.info(plain(s.notice))
    if s.job is None and view.results_settings is not None:
        changed = view.settings.changes_from(view.results_settings)
        if changed:
            cols = st.columns([4, 1], vertical_alignment="center")
            cols[0].warning(f"Out of date: the sidebar's {plain(', '.join(changed))} changed since these results. "
                            "Press Run to train the new settings.", icon=":material/update:")
            cols[1].button("Undo the changes", key="restore_settings", on_click=state.apply_settings,
                           args=(view.results_settings,), width="stretch")
    problems = view.results.runs[view.results.runs["status"].isin(["diverged", "error"])]
    if len(problems):
        labels = view.results.labels(include_dataset=view.results.runs["dataset"].nunique() > 1)  # as charted
        st.warning(plain(f"{len(problems)} run{'s' if len(problems) > 1 else ''} did not train normally: "
                         + "; ".join(f"{labels[row.run_id]} · seed {row.seed}: {row.message}"
                                     for row in problems.head(3).itertuples())
                         + (" …" if len(problems) > 3 else "")))


def table_key():
    """The accuracy table's key: a new one each time a click on a chart picks configurations, so the table
    starts again with their rows ticked (Streamlit ticks rows from code only on a table's first showing)."""
    return f"accuracy_table.{st.session_state.get('table_version', 0)}"


def pick(keys):
    """A click on a chart picked the configurations ``keys`` (a configuration includes its dataset): tick
    their rows in a new accuracy table, which highlights them everywhere. Called from the chart's callback,
    before the comparison's fragment reruns."""
    if keys:
        st.session_state.picked = tuple(keys)
        st.session_state.table_version = st.session_state.get("table_version", 0) + 1


def picked_in(key):
    """A canvas element's callback (the curves, the boundary panels): the configuration clicked in it."""
    clicked = st.session_state[key].get("pick")
    pick([clicked] if clicked else [])


def selected_configurations(results):
    """Keys of the configurations picked in the accuracy table (its row selection), to highlight; before
    a new table is first shown, those a click on a chart picked (the table will show them ticked)."""
    table = state.table(figures.accuracy_table, results)
    picked = st.session_state.get(table_key())
    if picked is None:
        return tuple(key for key in dict.fromkeys(table["key"]) if key in st.session_state.get("picked", ()))
    rows = picked.selection.rows if "selection" in picked else []
    return tuple(table["key"].iloc[row] for row in rows if row < len(table))


def curves(results, highlight=(), only=None):
    """The learning curves, drawn by the canvas renderer: loss or accuracy, the log scale and the smoothing
    are chosen in the browser (no request to the server); Colour by and Facets, under Options, rerun the
    comparison, whose boundary panels and table take the curves' colours. The row of controls sits level
    with the boundaries' one, so both charts start together."""
    controls = st.columns([3, 1.3], vertical_alignment="bottom")  # room for "Options" at 800 px too
    controls[0].markdown("**Curves**", help="Loss or accuracy, log scale and smoothing: above the chart. Hover a "
                         "curve to name it; click it to pick its configuration.")
    with controls[1].popover("Options", icon=":material/tune:", width="stretch",
                             help="What the colours and the facets show"):
        encoding = encoding_controls(results)
    if results.history.empty:
        st.info("No per-epoch history: open history.csv together with runs.csv to see the curves.")
        return
    payload = state.figure(figures.curves_payload, results, color_by=encoding.color_by,
                           facet_by=encoding.facet_by, only=only)
    canvas({**payload, "highlight": list(highlight)}, key="curves", on_pick=partial(picked_in, "curves"))
    if encoding.color_by:
        st.caption(f"Colour: {factor_name(encoding.color_by)}, in shades for the other settings; hover a curve to "
                   "name it.")


EACH, NO_FACETS = "each configuration", "none"


def encoding_choices(results):
    """(Colour by options, Facets options, the choices made): "auto", the settings that vary, and neither.
    A choice no longer offered (other results) is "auto"; Facets never offers the setting coloured."""
    varying = list(varying_factors(results.runs))
    colours = ["auto", *varying, EACH]
    colour = st.session_state.get("curve_color", "auto")
    colour = colour if colour in colours else "auto"
    facets = ["auto", NO_FACETS, *(factor for factor in varying if factor != colour)]
    facet = st.session_state.get("curve_facets", "auto")
    facet = facet if facet in facets and results.runs["dataset"].nunique() == 1 else "auto"
    return colours, facets, colour, facet


def chosen_encoding(results):
    """What the curves colour and facet (an Encoding); the boundary panels and the table follow its colour."""
    _, _, colour, facet = encoding_choices(results)
    return curve_encoding(results.runs, None if colour == EACH else colour, None if facet == NO_FACETS else facet)


def encoding_controls(results):
    """Colour by and Facets, under the other curve controls; "auto" says what it picks."""
    colours, facets, colour, facet = encoding_choices(results)
    several_datasets = results.runs["dataset"].nunique() > 1
    auto_colour = curve_encoding(results.runs, "auto", None if facet == NO_FACETS else facet).color_by
    auto_facet = curve_encoding(results.runs, None if colour == EACH else colour, "auto").facet_by
    for key, value in (("curve_color", colour), ("curve_facets", facet)):
        if st.session_state.get(key) != value:  # the first time, or a choice these results do not offer
            st.session_state[key] = value

    def named(auto):
        return lambda choice: f"auto: {factor_name(auto) if auto else 'none'}" if choice == "auto" else (
            factor_name(choice) if choice not in (EACH, NO_FACETS) else choice)

    row = st.columns([3, 3, 2], vertical_alignment="bottom")
    row[0].selectbox("Colour by", colours, key="curve_color", format_func=named(auto_colour),
                     help="One hue per value of this setting, shades of it for the other settings; each "
                     "configuration keeps its own colour in every chart and in the table.")
    row[1].selectbox("Facets", facets, key="curve_facets", disabled=several_datasets,
                     format_func=(lambda _: "one per dataset") if several_datasets else named(auto_facet),
                     help="One chart per value of this setting (with one dataset).")
    return chosen_encoding(results)


BOUNDARY_KEYS = {"final": "boundaries", "while learning": "film"}  # one canvas element each, by its key


def boundaries(results, datasets, highlight=(), only=None):
    """Every dataset's boundary panels, drawn by the canvas renderer: the final ones, or the film of them
    while they learned (every snapshot sent once; the slider and the play button run in the browser)."""
    if not results.networks:
        st.info("Decision boundaries need the trained networks, and saved CSV files hold only the numbers. Press "
                "▶ Run to train this comparison again and see them.")
        return
    when = st.segmented_control("Boundaries", list(BOUNDARY_KEYS), default="final", key="boundary_time",
                                help="While learning: every panel at the same epoch, one slider and a play "
                                "button for all of them.") or "final"
    color_by = chosen_encoding(results).color_by
    try:
        draw = figures.panels_payload if when == "final" else figures.film_payload
        payload = state.figure(draw, results, datasets=tuple(datasets), only=only, color_by=color_by)
    except DoesNotApply as error:
        st.info(f"This view does not apply here: {plain(error)}")
        return
    canvas({**payload, "highlight": list(highlight)}, key=BOUNDARY_KEYS[when],
           on_pick=partial(picked_in, BOUNDARY_KEYS[when]))
    left_out = [f"{section['left_out']} on {plain(section['dataset'])}" for section in payload["sections"]
                if section["left_out"]]
    if left_out:
        st.caption(f"Not drawn: {', '.join(left_out)} (at most {MAX_PANELS if when == 'final' else FILM_PANELS} "
                   "panels per dataset).")
    flat = any(not results.datasets[run_id].is_2d for run_id in results.networks)
    st.caption("Colour: the predicted class and its confidence · dots: training points · rings: test points · "
               "one panel per configuration (its first seed), its colour beside its name · hover a panel to name "
               "it, click it to pick it" + (" · drawn in the plane of the first two principal components." if flat
                                            else "."),
               help="Data with more than two features is drawn in the plane of its first two principal "
                    "components: a flat slice through a many-dimensional space. Look at where the test rings "
                    "fall against the colours, not at the shape of the boundary; the Images page shows what "
                    "each network gets right and wrong." if flat else None)


TABLE_HEIGHT = 320  # pixels: about 8 rows; more scroll inside the table, so the page stays one screen
SETTING_COLUMNS = ["dataset", "architecture", "runs as", "activation", "optimizer", "lr", "batch"]


def accuracy(results):
    st.subheader("Accuracy", anchor=False)
    table = state.table(figures.accuracy_table, results)
    if table.empty:
        st.info("No run finished, so there is nothing to compare yet.")
        return
    constant = [c for c in SETTING_COLUMNS if c != "architecture" and taken(table, c).nunique() <= 1]
    if (table["architecture"] == table["runs as"]).all() and "runs as" not in constant:
        constant.append("runs as")
    several_seeds = (table["seeds"] > 1).any()
    # the configuration (its name in the charts) and its test accuracy first, pinned with its colour and star,
    # so a narrow window shows them without scrolling sideways; each setting in a column of its own after
    # the numbers, to sort by
    order = ["best", *(["dataset"] if "dataset" not in constant else []), "label", "test acc %",
             *(["± test"] if several_seeds else []), "train acc %", *(["± train"] if several_seeds else []),
             "test loss", "loss curve", *[c for c in SETTING_COLUMNS if c not in constant and c != "dataset"],
             *(["seeds"] if several_seeds else []), *(["diverged"] if (table["diverged"] > 0).any() else [])]
    shown = table[order].copy()
    shown.insert(0, "colour", "■")  # the configuration's colour in the charts
    colors = config_colors(results, chosen_encoding(results).color_by)
    for column in ("± test", "± train"):
        if column in shown:  # one seed has no spread: show nothing rather than "None"
            shown[column] = shown[column].map(lambda v: "" if v != v else f"±{v:.1f}")
    if constant:
        st.caption("All runs: " + " · ".join(plain(f"{c} {table[c].iloc[0]:g}" if c == "lr" else
                                                   f"{c} {taken(table, c).iloc[0]}") + (
            " (none without a hidden layer)" if c == "activation" and taken(table, c).iloc[0] != NO_ACTIVATION
            and (table[c] == NO_ACTIVATION).any() else "") for c in constant if c != "runs as"))
    st.dataframe(
        shown.style.apply(lambda row: ["font-weight: bold; background-color: rgba(255, 193, 7, 0.18)"
                                       if row["best"] == "★" else "" for _ in row], axis=1)
        .apply(lambda column: [f"color: {colors[label]}" for label in table.loc[column.index, "label"]],
               subset=["colour"]),
        hide_index=True, width="stretch", key=table_key(), height=min(TABLE_HEIGHT, 38 + 35 * len(shown)),
        on_select="rerun", selection_mode="multi-row",
        selection_default={"selection": {"rows": [row for row, key in enumerate(table["key"])
                                                  if key in st.session_state.get("picked", ())]}},
        column_config={
            "colour": st.column_config.TextColumn("", width=24, help="its colour in the charts", pinned=True),
            "best": st.column_config.TextColumn("", width=28, pinned=True),
            "dataset": st.column_config.TextColumn("dataset", pinned=True),
            "label": st.column_config.TextColumn("configuration", pinned=True,
                                                 help="its name in the charts: the settings that vary"),
            "runs as": st.column_config.TextColumn("runs as", help="the layers as trained on this dataset"),
            "lr": st.column_config.NumberColumn("lr", format="%g"),
            "train acc %": st.column_config.NumberColumn("train %", format="%.1f"),
            "test acc %": st.column_config.NumberColumn("test %", format="%.1f", pinned=True),
            "± train": st.column_config.TextColumn("± train", help="std over seeds"),
            "± test": st.column_config.TextColumn("± test", help="std over seeds"),
            "test loss": st.column_config.NumberColumn("test loss", format="%.3f"),
            "loss curve": st.column_config.LineChartColumn("loss", width="small", help="test loss over the epochs"),
            "seeds": st.column_config.NumberColumn("seeds", width="small"),
        })
    st.session_state.pop("picked", None)  # a click seeds the new table once; the table keeps it from here
    st.caption("Mean over seeds; ★ marks the best per dataset. Click a header to sort; tick rows (or click a curve "
               "or a boundary panel) to highlight their curves and frame their panels.")


def taken(table, column):
    """The values a setting column takes; the activation of networks that have one (a network without a
    hidden layer has "none", which is no second activation)."""
    values = table[column].astype(str)
    if column == "activation" and (values != NO_ACTIVATION).any():
        values = values[values != NO_ACTIVATION]
    return values


def save_and_share(view):
    st.subheader("Save and share", anchor=False)
    files = st.container(horizontal=True)
    files.download_button("runs.csv", view.results.runs_csv(), file_name="runs.csv", mime="text/csv",
                          icon=":material/download:", key="download_runs")
    files.download_button("history.csv", view.results.history_csv(), file_name="history.csv", mime="text/csv",
                          icon=":material/download:", key="download_history")
    settings = view.results_settings or view.settings
    key = st.session_state.get("results_key")
    # each link one line, the page's width, scrolled sideways when longer: wrapped, it broke mid-number
    # ("lr=2" / "0"); the button at its right copies it all
    if key is not None:
        st.caption("Link to these results: anyone who opens it sees this comparison at once, charts, table and "
                   "every view, while this server keeps it (then they get its settings, to train again).")
        st.code(links.results_url(settings, key), language=None, wrap_lines=False)
    st.caption("Link to these settings (anyone who opens it sees them and can press Run); copy it with the button "
               "at its right.")
    st.code(links.settings_url(settings), language=None, wrap_lines=False)
    if any(name in view.catalog.own for name in settings.datasets):
        st.caption("Your own data is not part of the link; whoever opens it sees the other datasets.")


if __name__ == "__main__":
    show(st.session_state.view)
