"""Inside the network: on 2-D data every unit's output over the input plane, layer by layer, with the weights
between them (Playground-style, drawn by the canvas renderer); on any data what each hidden layer makes of
the test set, and every weight matrix."""
import streamlit as st

from experiments import figures
from ui.widgets import chart, drawing, needs_results, pick_configuration


def show(view):
    st.header("Inside the network", anchor=False)
    if not needs_results(view):
        return
    run_id = pick_configuration("Network (deepest first, then the best)", view.results, "inside_run",
                                deepest_first=True)
    if run_id is None:
        return
    if view.results.datasets[run_id].n_features == 2:
        st.caption("Every unit's output over the input plane, layer by layer (teal where it is positive, brown "
                   "where negative), and the weights between them: thicker for larger, teal for positive, brown "
                   "for negative. At the end, the network's answer. Hover a unit to read its range.")
        drawing(figures.neurons_payload, view.results, "neurons", run_id=run_id)
    st.caption("Each hidden layer's activations for the test set in the plane of their first two principal "
               "components: the classes come apart layer by layer. Below, every weight matrix.")
    chart(figures.hidden_layers_figure, view.results, "hidden_layers", run_id=run_id)
    chart(figures.weights_figure, view.results, "weights", run_id=run_id)


if __name__ == "__main__":
    show(st.session_state.view)
