"""Inside the network: what each hidden layer makes of the test set, and every weight matrix."""
import streamlit as st

from ui.widgets import chart, needs_results, pick_configuration


def show(view):
    st.header("Inside the network", anchor=False)
    st.caption("Each hidden layer's activations for the test set in the plane of their first two principal "
               "components: the classes come apart layer by layer. Below, every weight matrix.")
    if not needs_results(view):
        return
    run_id = pick_configuration("Network (deepest first, then the best)", view.results, "inside_run",
                                deepest_first=True)
    if run_id is None:
        return
    chart("hidden_layers_figure", view.results, run_id, key="hidden_layers")
    chart("weights_figure", view.results, run_id, key="weights")


if __name__ == "__main__":
    show(st.session_state.view)
