"""What the Compare page draws while a comparison trains: the same curves and boundary panels as after
training, from ``Job.results_so_far()`` (runs in training have status "running", runs not started
"waiting"), at a lower resolution, redrawn twice a second."""
from .boundaries import boundary_panels, decision_boundary_figure
from .common import curve_encoding
from .curves import learning_curves_figure

LIVE_RESOLUTION = 40  # grid points per side of a live boundary panel (70 once trained)
LIVE_POINTS = 200  # data points per split in each live panel: the same points in every panel, every redraw


def live_figures(results, resolution=LIVE_RESOLUTION, panel_height=None, max_points=LIVE_POINTS):
    """{"curves": figure, "boundary.<dataset>": figure, ...} of a comparison in training. The curves' x axis
    runs to the epochs asked for, so they grow to the right; every run of the comparison is in ``results``
    from the start, so the colour encoding (``curve_encoding``, without facets) does not change while it trains.
    A dataset none of whose drawn runs has started yet has no boundary figure."""
    encoding = curve_encoding(results.runs, facet_by=None)  # one chart: facets would be narrow, and redraw slower
    drawn = {}
    if not results.history.empty:
        curves = learning_curves_figure(results, color_by=encoding.color_by)
        curves.update_xaxes(range=[0, int(results.runs["epochs"].max()) + 1])
        drawn["curves"] = curves
    for dataset in dict.fromkeys(results.runs["dataset"]):
        panels, _ = boundary_panels(results, dataset)
        if not panels.empty:
            drawn[f"boundary.{dataset}"] = decision_boundary_figure(results, dataset, resolution, panel_height,
                                                                   color_by=encoding.color_by,
                                                                   max_points=max_points)
    return drawn
