"""Gradient flow: each layer's gradient norm over the epochs. Vanishing gradients show as the layers near the
input getting a tiny fraction of what the output layer gets."""
import streamlit as st

from experiments import figures
from ui.widgets import chart, configurations, needs_results

MAX_RUNS = 9


def show(view):
    st.header("Gradient flow", anchor=False)
    st.caption("How large the loss gradient is at each layer, epoch by epoch (log scale). When the layers near the "
               "input get gradients many times smaller than those near the output, they barely learn: the vanishing "
               "gradients of sigmoid in deep networks, next to relu's.")
    if not needs_results(view):
        return
    results = view.results
    options = configurations(results, deepest_first=True) or {
        run_id: label for run_id, label in results.labels(include_dataset=True).items()}
    if not set(st.session_state.get("gf_runs", [])) <= set(options):
        st.session_state.pop("gf_runs")
    chosen = st.multiselect(f"Runs (up to {MAX_RUNS}; deepest first)", list(options), default=list(options)[:4],
                            format_func=options.get, key="gf_runs", max_selections=MAX_RUNS)
    chart(figures.gradient_flow_figure, results, "gradient_flow", run_ids=tuple(chosen))


if __name__ == "__main__":
    show(st.session_state.view)
