"""Images: for the image datasets, a test-set confusion matrix per configuration and a gallery of test images
with each prediction, misclassified first."""
import streamlit as st

from experiments import figures
from experiments.datasets import image_dataset_names
from ui.text import plain
from ui.widgets import chart, configurations, needs_results, pick_configuration

MAX_MATRICES = 9


def show(view):
    st.header("Images", anchor=False)
    if not needs_results(view):
        return
    results = view.results
    names = [name for name in dict.fromkeys(results.runs["dataset"])
             if configurations(results, name) and results.datasets[next(iter(configurations(results, name)))].image]
    if not names:
        st.info(f"This view does not apply here: it is for the image datasets ({', '.join(image_dataset_names())}), "
                "and none of them is in these results with trained networks.")
        return
    dataset = st.segmented_control("Dataset", names, default=names[0], key="images_dataset") or names[0] \
        if len(names) > 1 else names[0]
    options = configurations(results, dataset)
    st.subheader("Confusion matrices", anchor=False)
    key = f"images_configs.{dataset}"
    if not set(st.session_state.get(key, [])) <= set(options):
        st.session_state.pop(key)
    chosen = st.multiselect(f"Configurations (best first; at most {MAX_MATRICES})", list(options),
                            default=list(options)[:MAX_MATRICES], format_func=options.get, key=key,
                            max_selections=MAX_MATRICES)
    left_out = len(options) - len(chosen)
    st.caption(f"Test set; rows: true class, columns: predicted. Showing {len(chosen)} of {len(options)} "
               f"configurations" + (f"; {left_out} not shown (choose them above)." if left_out else "."))
    chart(figures.confusion_matrices_figure, results, "confusion", run_ids=tuple(chosen))
    st.subheader("Gallery of test images", anchor=False)
    run_id = pick_configuration("Predictions of (opens on the one with the most mistakes)", results,
                                f"gallery_run.{dataset}", dataset, worst=True)
    if run_id is not None:
        chart(figures.gallery_figure, results, "gallery", run_id=run_id)
        ink = "dark ink on light paper" if results.datasets[run_id].image.ink == "dark" else "bright on dark"
        st.caption("Its mistakes first (✗: what it predicted, with how sure it was, and the true class), then right "
                   "answers taking each class in turn, the least sure first. "
                   f"Drawn as {plain(dataset)} is everywhere in this app: {ink}.")


if __name__ == "__main__":
    show(st.session_state.view)
