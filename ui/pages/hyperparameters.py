"""Hyperparameters: where does a design work? The design map (mean test accuracy over two numeric settings)
and every run as a line across the settings that vary, coloured by test accuracy."""
import streamlit as st

from experiments import figures
from experiments.figures import varying_design_factors
from ui.widgets import chart, needs_results


def show(view):
    st.header("Hyperparameters", anchor=False)
    if not needs_results(view):
        return
    results = view.results
    st.subheader("Design map", anchor=False)
    factors = varying_design_factors(results.runs[results.runs["status"] != "error"])
    if len(factors) >= 2:
        cols = st.columns(2)
        x = cols[0].selectbox("Across", factors, index=0, key="map_x")
        y = cols[1].selectbox("Down", [f for f in factors if f != x], index=0, key="map_y")
        chart(figures.design_map_figure, results, "design_map", x=x, y=y)
        st.caption("Each cell: mean test accuracy of the runs with those two settings, over seeds and whatever "
                   "else varies; hover for the spread. Bright cells are where the design works.")
    else:
        st.info("The design map needs two numeric settings that vary, such as learning rates and depths (try "
                "the architectures [25, 8, 2] and [25, 8, 8, 2] with three learning rates).")
    st.subheader("Every run", anchor=False)
    st.caption("Every run as a line across its settings, coloured by test accuracy; the best are drawn on top. "
               "Drag along an axis to filter.")
    chart(figures.parallel_coordinates_figure, results, "parcoords")


if __name__ == "__main__":
    show(st.session_state.view)
