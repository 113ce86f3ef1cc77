"""Pieces several pages share: a chart or a canvas drawing, or the reason it does not apply; choosing runs
best-first; and the lesson cards."""
import streamlit as st

from experiments.figures import DoesNotApply, first_seed_runs
from experiments.lessons import LESSONS
from experiments.specs import hidden_layers

from . import state, training
from .components import canvas
from .text import plain

NO_NETWORKS = ("These results have no trained networks (saved CSV files hold only the numbers). Press ▶ Run "
               "to train this comparison again and see this view.")


def chart(draw, results, key, chart_options=None, **options):
    """Draw the Plotly figure ``draw(results, **options)`` (a function of experiments.figures; cached), or say
    plainly why it does not apply. Returns False if it does not; with ``on_select`` among ``chart_options``
    (st.plotly_chart's), the configurations (trace ``meta``) of the points the visitor clicked; else True."""
    chart_options = chart_options or {}
    try:
        figure = state.figure(draw, results, **options)
        event = st.plotly_chart(figure, key=key, **chart_options)
    except DoesNotApply as error:
        st.info(f"This view does not apply here: {plain(error)}")
        return False
    if "on_select" not in chart_options:
        return True
    points = event.selection.points if event is not None else []
    return tuple(dict.fromkeys(figure.data[point["curve_number"]].meta for point in points
                               if point["curve_number"] < len(figure.data) and figure.data[point["curve_number"]].meta))


def drawing(draw, results, key, canvas_options=None, **options):
    """Draw the payload ``draw(results, **options)`` (a function of experiments.figures; cached) with the
    canvas renderer (ui/components), or say plainly why it does not apply. Returns the element's result, or
    None."""
    canvas_options = canvas_options or {}
    try:
        payload = state.figure(draw, results, **options)
    except DoesNotApply as error:
        st.info(f"This view does not apply here: {plain(error)}")
        return None
    return canvas(payload, key=key, **canvas_options)


def needs_results(view):
    """True if there are results to show; otherwise say how to get some."""
    if view.results is None and st.session_state.get("job") is not None:
        st.info("Training… this page shows the results as soon as the comparison finishes.")
        return False
    if view.results is None:
        st.info("Nothing trained yet. Press ▶ Run in the sidebar (or pick one on the Lessons page); this view "
                "then shows its results.")
        return False
    return True


def configurations(results, dataset=None, deepest_first=False):
    """{run_id: label} of the runs drawn for each configuration (its first seed, with a trained network),
    best test accuracy first; with ``deepest_first``, more hidden layers first, then the best."""
    runs = results.runs[results.runs["run_id"].isin(results.networks)]
    if dataset is not None:
        runs = runs[runs["dataset"] == dataset]
    firsts = first_seed_runs(runs)
    if firsts.empty:
        return {}
    full_labels = results.labels(include_dataset=True)  # one label per configuration: seeds share it
    mean_acc = results.runs.groupby(results.runs["run_id"].map(full_labels))["test_acc"].mean()
    score = firsts["run_id"].map(full_labels).map(mean_acc).fillna(-1.0)
    labels = results.labels(include_dataset=results.runs["dataset"].nunique() > 1 and dataset is None)
    depth = firsts["layers"].map(hidden_layers) if deepest_first else 0
    order = firsts.assign(_score=score.to_numpy(), _depth=depth).sort_values(["_depth", "_score"], ascending=False,
                                                                                kind="stable")
    return {run_id: labels[run_id] for run_id in order["run_id"]}


def pick_configuration(label, results, key, dataset=None, deepest_first=False, worst=False):
    """A selectbox of configurations listed best (or deepest) first, opening on the first, or with ``worst`` on
    the one with the lowest test accuracy (the most mistakes to show); None (with a message) if none."""
    options = configurations(results, dataset, deepest_first)
    if not options:
        st.info(NO_NETWORKS)
        return None
    if st.session_state.get(key) not in options:
        st.session_state.pop(key, None)
        if worst:
            accuracy = results.runs.set_index("run_id")["test_acc"]
            st.session_state[key] = min(options, key=lambda run_id: accuracy[run_id])  # the first of ties
    return st.selectbox(label, list(options), format_func=options.get, key=key)


def lesson_cards(first_primary=True):
    """One card per lesson (title, question, what to look for, Show me), side by side, wrapping on narrow
    screens. ``first_primary``: the first lesson's button is the page's primary action (not when the page
    already has one, such as running a share link's comparison)."""
    cards = st.container(horizontal=True, gap="small")  # cards keep their width and wrap on narrow screens
    for lesson in LESSONS:
        with cards.container(border=True, width=205):
            st.markdown(f"**{lesson.title}**  \n{lesson.question}")
            st.caption(lesson.look_for)
            st.button("Show me", icon=":material/play_arrow:", key=f"lesson.{lesson.key}", width="stretch",
                      on_click=training.start_lesson, args=(lesson,),
                      type="primary" if first_primary and lesson is LESSONS[0] else "secondary")
