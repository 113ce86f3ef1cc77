"""Learning-rate finder: train briefly while the rate grows from 1e-5 to 10 and see where the loss falls
fastest. Runs under the same caps as any comparison."""
import streamlit as st

from experiments.figures import lr_finder_figure
from experiments.lr_finder import STEPS, lr_range_test
from experiments.specs import RunSpec
from ui.text import plain


def add_learning_rate(lr):
    st.session_state.custom_lr = ", ".join(filter(None, [st.session_state.custom_lr, f"{lr:.2g}"]))
    st.session_state.lrf_added = True  # the sidebar must be redrawn: the fragment reruns the whole app


def show(view):
    st.header("Learning-rate finder", anchor=False)
    st.caption(f"Train briefly ({STEPS} batches) while the learning rate grows from 1e-5 to 10, and plot the loss "
               "against the rate. Too small a rate barely moves the loss; too large a rate makes it blow up. The "
               "suggestion is the rate where the loss falls fastest once it is below the dotted line, the loss of "
               "guessing from how common each class is.")
    settings = view.settings
    if not settings.datasets or not settings.architectures or not settings.activations:
        st.info("Choose a dataset, an architecture and an activation in the sidebar first.")
        return
    finder()


@st.fragment(key="finder")
def finder():
    if st.session_state.pop("lrf_added", False):
        st.rerun(scope="app")
    view = st.session_state.view
    settings = view.settings
    cols = st.columns(3)
    dataset = cols[0].selectbox("Dataset", settings.datasets, key="lrf_dataset")
    architecture = cols[1].selectbox("Architecture", settings.architectures, key="lrf_arch")
    activation = cols[2].selectbox("Activation", settings.activations, key="lrf_activation")
    spec = RunSpec(dataset=dataset, architecture=architecture, activation=activation, optimizer=settings.optimizers[0]
                   if settings.optimizers else "sgd", batch_size=None if settings.batch_size == "full"
                   else settings.batch_size, l2=settings.l2, **settings.dataset_options.get(dataset, {}))
    if st.button("Run the range test", key="lrf_run"):
        try:
            st.session_state.lr_test = (spec, lr_range_test(spec, catalog=view.catalog, limits=view.limits))
        except ValueError as error:
            st.error(plain(error))
    stored = st.session_state.get("lr_test")
    if stored and stored[0] == spec:
        test = stored[1]
        st.plotly_chart(lr_finder_figure(test), key="lr_finder")
        if test.stopped_early:
            st.caption("The loss blew up before the rate reached 10, so the test stopped there.")
        if test.suggestion is None:
            st.info(f"No rate to suggest: the loss never fell clearly below {test.guessing_loss:.2f}, the loss of "
                    f"guessing, so this network learned nothing in the test's {STEPS} batches at any rate (a sigmoid "
                    "network can sit on such a plateau for many epochs). Try a few rates up to where the loss blew "
                    "up in the comparison itself, with more epochs.")
        else:
            st.button(f"Add lr {test.suggestion:.2g} to the comparison", key="lrf_add", on_click=add_learning_rate,
                      args=(test.suggestion,))


if __name__ == "__main__":
    show(st.session_state.view)
