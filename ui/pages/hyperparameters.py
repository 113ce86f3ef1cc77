"""Hyperparameters: every run as a line across the settings that vary, coloured by test accuracy."""
import streamlit as st

from ui.widgets import chart, needs_results


def show(view):
    st.header("Hyperparameters", anchor=False)
    st.caption("Every run as a line across its settings, coloured by test accuracy; the best are drawn on top. "
               "Drag along an axis to filter.")
    if needs_results(view):
        chart("parallel_coordinates_figure", view.results, key="parcoords")


if __name__ == "__main__":
    show(st.session_state.view)
