"""Try it: paint an image (image datasets) or pick a point (2-D datasets) and see every trained network's
prediction side by side."""
from functools import partial

import numpy as np
import pandas as pd
import streamlit as st

from experiments.figures import paint_canvas_figure, point_picker_figure, predictions_table
from ui.text import plain
from ui.widgets import NO_NETWORKS, configurations, needs_results


def show(view):
    st.header("Try it", anchor=False)
    if not needs_results(view):
        return
    names = [name for name in dict.fromkeys(view.results.runs["dataset"]) if configurations(view.results, name)]
    if not names:
        st.info(NO_NETWORKS)
        return
    dataset = st.segmented_control("Dataset", names, default=names[0], key="try_dataset",  # own names are text
                                   format_func=plain) or names[0] if len(names) > 1 else names[0]
    try_it(view.results, dataset)


@st.fragment(key="try_it")
def try_it(results, dataset):
    """Painting or clicking reruns only this fragment."""
    run_ids = list(configurations(results, dataset))
    data = results.datasets[run_ids[0]]
    if data.image is not None:
        x = paint(data, dataset)
    elif data.is_2d:
        x = pick_point(data, dataset)
    else:
        st.info(f"This view does not apply here: {plain(dataset)} has {data.n_features} features; painting is for "
                "images and clicking for 2-D data.")
        return
    table = predictions_table(results, run_ids, x)
    st.dataframe(table, hide_index=True, width="stretch", key="try_predictions", column_config={
        "confidence %": st.column_config.ProgressColumn("confidence", min_value=0, max_value=100, format="%.0f%%"),
        **{c: st.column_config.NumberColumn(format="%.3f") for c in table.columns if c.startswith("P(")}})


# ----- images: paint with clicks and drags -----
CLICK, BOX = "Click a pixel", "Drag a box"
# a click paints: the pointer says so, not Plotly's four-way arrow of its pan mode (which the fixed axes disable)
CANVAS_CSS = "<style>.st-key-try_canvas .nsewdrag {cursor: pointer !important}</style>"


def _canvas_key(dataset):
    return f"canvas.{dataset}"


def _set_canvas(dataset, pixels):
    st.session_state[_canvas_key(dataset)] = np.asarray(pixels, dtype=float)
    st.session_state[f"{_canvas_key(dataset)}.version"] = st.session_state.get(f"{_canvas_key(dataset)}.version", 0) + 1


def _painted(dataset, chart_key, image):
    """Chart selection callback: every selected pixel (a click, or a box or lasso drag) takes the brush value."""
    points = st.session_state[chart_key].selection.points
    pixels = st.session_state[_canvas_key(dataset)].copy()
    value = image.pixel_max if st.session_state.get("brush", "Paint") == "Paint" else 0.0
    for point in points:
        row, col = int(round(point["y"])), int(round(point["x"]))
        if 0 <= row < image.shape[0] and 0 <= col < image.shape[1]:
            pixels[row, col] = value
    _set_canvas(dataset, pixels)


def paint(data, dataset):
    image = data.image
    key = _canvas_key(dataset)
    if key not in st.session_state:
        _set_canvas(dataset, data.pixels(data.X_test[:1])[0])
    st.caption(f"Click a pixel to paint it, or choose Drag a box and drag over several; Erase clears them. "
               f"{image.shape[0]}×{image.shape[1]} pixels, drawn as every view of {plain(dataset)} draws them.")
    tools = st.columns([1, 1], vertical_alignment="bottom")
    tools[0].segmented_control("Brush", ["Paint", "Erase"], default="Paint", key="brush")
    tools[1].segmented_control("Pixels", [CLICK, BOX], default=CLICK, key="try_pick",
                               help="A click selects one pixel; a drag in box mode selects every pixel it covers.")
    buttons = st.container(horizontal=True)
    buttons.button("Clear", key="try_clear", on_click=_set_canvas, args=(dataset, np.zeros(image.shape)))
    buttons.button("Invert", key="try_invert", on_click=_set_canvas,
                   args=(dataset, image.pixel_max - st.session_state[key]))
    sample = (st.session_state.get(f"try_sample.{dataset}", 0) + 1) % len(data.y_test)

    def next_image():
        st.session_state[f"try_sample.{dataset}"] = sample
        _set_canvas(dataset, data.pixels(data.X_test[sample:sample + 1])[0])

    buttons.button("Next test image", key="try_next", on_click=next_image)
    chart_key = f"{key}.chart{st.session_state.get(f'{key}.version', 0)}"  # a new key clears the selection
    canvas, typed = st.columns([1, 1])
    box = st.session_state.get("try_pick") == BOX
    with canvas.container(key="try_canvas"):
        if not box:
            st.html(CANVAS_CSS)
        st.plotly_chart(paint_canvas_figure(image, st.session_state[key], box=box), key=chart_key,
                        on_select=partial(_painted, dataset, chart_key, image),
                        selection_mode=("points", "box", "lasso"), config={"displayModeBar": False})
    with typed.expander("Or type the pixel values"):
        edited = st.data_editor(
            pd.DataFrame(st.session_state[key], columns=[str(c + 1) for c in range(image.shape[1])]),
            key=f"{key}.editor{st.session_state.get(f'{key}.version', 0)}", hide_index=True, width="stretch",
            column_config={str(c + 1): st.column_config.NumberColumn(min_value=0.0, max_value=image.pixel_max,
                                                                     format="%.1f")
                           for c in range(image.shape[1])})
        typed_pixels = np.clip(np.nan_to_num(edited.to_numpy(dtype=float)), 0.0, image.pixel_max)
        if not np.array_equal(typed_pixels, st.session_state[key]):
            st.session_state[key] = typed_pixels
    return data.standardise(st.session_state[key].ravel())


# ----- 2-D data: click anywhere, or type the coordinates -----
def _picked(chart_key):
    points = st.session_state[chart_key].selection.points
    if points:
        st.session_state.update(try_x1=float(points[-1]["x"]), try_x2=float(points[-1]["y"]))
        st.session_state.try_picker_version = st.session_state.get("try_picker_version", 0) + 1


def pick_point(data, dataset):
    st.caption("Click anywhere on the plot to choose a point, or type its coordinates.")
    low, high = data.X_train.min(axis=0), data.X_train.max(axis=0)
    st.session_state.setdefault("try_x1", 0.0)
    st.session_state.setdefault("try_x2", 0.0)
    coords = st.columns(2)
    coords[0].number_input("x1", step=0.1, format="%.2f", key="try_x1", min_value=float(low[0] - 10),
                           max_value=float(high[0] + 10))
    coords[1].number_input("x2", step=0.1, format="%.2f", key="try_x2", min_value=float(low[1] - 10),
                           max_value=float(high[1] + 10))
    x1, x2 = st.session_state.try_x1, st.session_state.try_x2
    chart_key = f"try_picker{st.session_state.get('try_picker_version', 0)}"
    st.plotly_chart(point_picker_figure(data, x1, x2), key=chart_key, on_select=partial(_picked, chart_key),
                    selection_mode="points")
    return np.array([x1, x2])


if __name__ == "__main__":
    show(st.session_state.view)
