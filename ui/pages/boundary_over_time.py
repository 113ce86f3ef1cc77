"""Boundary over time: one configuration's decision boundary at snapshots taken while it trained."""
import streamlit as st

from ui.widgets import chart, needs_results, pick_configuration


def show(view):
    st.header("Boundary over time", anchor=False)
    st.caption("The decision boundary as training went on (about 20 snapshots, closer together early on). Drag "
               "the slider or press play.")
    if not needs_results(view):
        return
    run_id = pick_configuration("Configuration (best first)", view.results, "anim_run")
    if run_id is not None:
        chart("boundary_animation_figure", view.results, run_id, key="animation")


if __name__ == "__main__":
    show(st.session_state.view)
