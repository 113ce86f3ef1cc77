"""The canvas renderer: one ``st.components.v2`` component that draws the learning curves, boundary panels,
the film, the live view of a comparison in training and the neurons of a network in the browser
(docs/drawing.md).

Its JavaScript and CSS are the sibling ``.js`` and ``.css`` files, read once at import and registered once:
inline, no build step. The server sends it numbers (``experiments.figures.series``, ``panels``, ``live``, ``neurons``:
grids as base64 bytes, curves as lists); the browser paints each grid with ``putImageData`` into a canvas at
the grid's resolution and scales it up with CSS, as TensorFlow Playground's heatmap does. Always mounted
with a ``key``: the element then keeps its identity across reruns, and every update repaints it in place.
"""
import os
import re

import streamlit as st

HERE = os.path.dirname(os.path.abspath(__file__))
JS_PARTS = ["core.js", "chart.js", "views.js", "curves.js", "live.js", "neurons.js", "main.js"]  # main last


def _read(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as file:
        return file.read()


def compact(source):
    """The JavaScript without its comment lines and indentation: Streamlit sends the component's code with
    every update of the element, so the bytes count (the files stay as written)."""
    lines = (line.strip() for line in source.splitlines())
    return "\n".join(line for line in lines if line and not re.match(r"^//", line))


JS = compact("\n".join(_read(name) for name in JS_PARTS))
CSS = _read("canvas.css")
NAME = "nnlab_canvas"


def _ignore():
    """A value the element sends that this caller reads from its result, not in a callback."""


def canvas(data, key, on_pick=None, height="content"):
    """Mount (or update) the renderer with ``data`` under ``key``. ``on_pick``: called (a widget callback,
    before the rerun) when the visitor clicks a configuration; ``st.session_state[key]["pick"]`` is its key.
    Returns the element's result: ``resync``, the last live update the browser asked to receive whole again."""
    # registered with the running server at every mount (about 10 us): Streamlit 1.63's AppTest starts a
    # runtime of its own per app, whose registry does not hold a component registered at import
    renderer = st.components.v2.component(NAME, css=CSS, js=JS)
    return renderer(key=key, data=data, height=height, on_pick_change=on_pick or _ignore, on_resync_change=_ignore)
