"""Boundary over time: one configuration's decision boundary at snapshots taken while it trained, played in
the browser (the canvas renderer: every snapshot sent once, the slider and the play button run there)."""
import streamlit as st

from experiments import figures
from ui.widgets import drawing, needs_results, pick_configuration


def show(view):
    st.header("Boundary over time", anchor=False)
    st.caption("The decision boundary as training went on (about 20 snapshots, closer together early on, blended "
               "in between). Drag the slider or press play; the marker on the test-loss curve moves with it.")
    if not needs_results(view):
        return
    run_id = pick_configuration("Configuration (best first)", view.results, "anim_run")
    if run_id is not None:
        drawing(figures.run_film_payload, view.results, "animation", run_id=run_id)


if __name__ == "__main__":
    show(st.session_state.view)
