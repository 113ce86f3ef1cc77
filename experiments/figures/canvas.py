"""Figures gathered as plain dicts and turned into a Plotly Figure once, without Plotly's checks.

Why: Plotly checks every property of every trace and axis as it is set, and that costs more than the
drawing: about 0.25 s for a chart of 50 traces, and 0.3 s more for ``make_subplots``. The live view redraws
the curves and the boundary panels twice a second while a comparison trains, in the server process that
shares two cores with the training. So the figures it draws are assembled here: a grid of subplots is made
once per shape (cached), traces are dicts, and ``figure()`` builds the Figure with Plotly's
``_validate=False`` (10-20 ms). The tests build each of these figures again with Plotly's checks
(``go.Figure(fig.to_dict())``), so a misspelt property still fails a test, not a visitor's chart.
"""
import copy
from functools import lru_cache

import plotly.graph_objects as go
from plotly.subplots import make_subplots


def _grid(rows, cols, titles, horizontal_spacing, vertical_spacing, shared_yaxes):
    """As _shape_grid, with ``titles`` written in: the grid is cached by its shape and which cells have a
    title, not by the titles' text (a live panel's title carries its accuracy, which changes every redraw)."""
    layout, names, grid = _shape_grid(rows, cols, tuple(bool(title) for title in titles), horizontal_spacing,
                                      vertical_spacing, shared_yaxes)
    layout = copy.deepcopy(layout)
    for annotation, title in zip(layout.get("annotations", []), [title for title in titles if title]):
        annotation["text"] = title
    return layout, names, grid


@lru_cache(maxsize=64)
def _shape_grid(rows, cols, titled, horizontal_spacing, vertical_spacing, shared_yaxes):
    """(layout dict, {(row, col): ("xaxis2", "yaxis2")}, grid) of a make_subplots grid (rows and cols from
    1); ``grid`` is what a Figure needs for ``get_subplot`` and ``update_xaxes(row=...)`` to work."""
    titles = ["title" if has_title else "" for has_title in titled]  # placeholders, replaced in _grid
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles or None, shared_yaxes=shared_yaxes,
                        horizontal_spacing=horizontal_spacing, vertical_spacing=vertical_spacing)
    names = {}
    for row in range(1, rows + 1):
        for col in range(1, cols + 1):
            subplot = fig.get_subplot(row, col)
            names[row, col] = (subplot.xaxis.plotly_name, subplot.yaxis.plotly_name)
    return fig.layout.to_plotly_json(), names, {"_grid_ref": fig._grid_ref, "_grid_str": fig._grid_str}


class Canvas:
    """A grid of subplots being drawn: ``add`` traces (dicts) to cells, change ``axis`` dicts and
    ``layout``, then take the ``figure()``."""

    def __init__(self, rows=1, cols=1, titles=(), horizontal_spacing=0.06, vertical_spacing=0.0, shared_yaxes=False):
        self.layout, self._names, self._grid = _grid(rows, cols, tuple(titles), horizontal_spacing,
                                                     vertical_spacing, shared_yaxes)
        self.rows, self.cols = rows, cols
        self.data = []

    def axis_names(self, row=1, col=1):
        """("xaxis2", "yaxis2"): the layout keys of a cell's axes."""
        return self._names[row, col]

    def refs(self, row=1, col=1):
        """("x2", "y2"): how a trace or shape names the cell's axes."""
        return tuple(name.replace("axis", "") for name in self._names[row, col])

    def add(self, trace, row=1, col=1):
        x, y = self.refs(row, col)
        self.data.append({**trace, "xaxis": x, "yaxis": y})

    def axis(self, row, col, which):
        """The dict of the cell's "x" or "y" axis, to change in place."""
        return self.layout.setdefault(self._names[row, col][which == "y"], {})

    def update_axes(self, which, **props):
        """Set ``props`` on every "x" or "y" axis of the grid."""
        for names in self._names.values():
            self.layout.setdefault(names[which == "y"], {}).update(props)

    def equal_scale(self, row, col):
        """One unit on x as long as one unit on y in this cell (Plotly shrinks the cell to keep it so)."""
        x_ref, _ = self.refs(row, col)
        self.axis(row, col, "y").update(scaleanchor=x_ref, scaleratio=1, constrain="domain")
        self.axis(row, col, "x").update(constrain="domain")

    def outline(self, row, col, color="#e8590c", width=4):
        """A frame around one cell: a configuration picked in the table."""
        x_ref, y_ref = self.refs(row, col)
        self.layout.setdefault("shapes", []).append(
            {"type": "rect", "xref": f"{x_ref} domain", "yref": f"{y_ref} domain", "x0": -0.02, "x1": 1.02,
             "y0": -0.02, "y1": 1.02, "line": {"color": color, "width": width}})

    def figure(self, **layout):
        """The Figure, built once and unchecked (see the module's docstring); ``layout`` is merged in."""
        for key, value in layout.items():
            if isinstance(value, dict) and isinstance(self.layout.get(key), dict):
                self.layout[key] = {**self.layout[key], **value}
            else:
                self.layout[key] = value
        return go.Figure({"data": self.data, "layout": self.layout, **self._grid}, _validate=False)
