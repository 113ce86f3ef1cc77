"""What the Compare page draws while a comparison trains: the same curves and boundary panels as after
training, from ``Job.results_so_far()`` (runs in training have status "running", runs not started
"waiting"), at a lower resolution, redrawn twice a second."""
from ..results import RUNNING
from .boundaries import decision_boundary_figure
from .common import curve_encoding, first_seed_runs
from .curves import learning_curves_figure, note_figure

LIVE_POINTS = 200  # data points per split in each live panel: the same points in every panel, every redraw
LIVE_PANELS = 12  # boundary panels per dataset redrawn live


LIVE_REDRAW_SECONDS = 0.15  # the server's CPU for one redraw of the live charts (bench_live.py: 0.09-0.19 s)
LIVE_BUDGET = 0.5  # of one core, for the live charts of all visitors together: the rest draws results


def live_seconds(configurations, watchers=1):
    """Seconds between redraws of the live charts: twice a second for a few configurations, once a second
    for many; a redraw costs the server CPU that the training needs (benchmarks/bench_live.py). With
    ``watchers`` visitors watching at once, each redraws less often, so that together they keep to
    LIVE_BUDGET of one core and a visitor's Run is not queued behind other visitors' live charts in the
    server's one Python process."""
    alone = 0.5 if configurations <= 6 else 0.75 if configurations <= 12 else 1.0
    return max(alone, watchers * LIVE_REDRAW_SECONDS / LIVE_BUDGET)


def live_figures(results, resolution=None, panel_height=None, max_points=LIVE_POINTS, max_panels=LIVE_PANELS):
    """{"curves": figure, "boundary.<dataset>": figure, ...} of a comparison in training. The curves' x axis
    runs to the epochs asked for, so they grow to the right; every run of the comparison is in ``results``
    from the start, so the colour encoding (``curve_encoding``, without facets) does not change while it
    trains. At most ``max_panels`` boundary panels per dataset, the configurations in training first, then
    the finished ones in order (a configuration not started has none); ``resolution`` None: 40 grid points
    per side for up to 6 panels, 30 for more, so a redraw costs about the same."""
    encoding = curve_encoding(results.runs, facet_by=None)  # one chart: facets would be narrow, and redraw slower
    drawn = {}
    if results.history.empty:  # the chart is there from the start: no column that is blank, then filled
        drawn["curves"] = note_figure("The curves start with the first epoch.", height=340)
    else:
        curves = learning_curves_figure(results, color_by=encoding.color_by)
        curves.update_xaxes(range=[0, int(results.runs["epochs"].max()) + 1])
        drawn["curves"] = curves
    labels = results.labels()
    runs = results.runs[results.runs["run_id"].isin(results.networks)]
    for dataset in dict.fromkeys(results.runs["dataset"]):
        firsts = first_seed_runs(runs[runs["dataset"] == dataset])  # before any cap: training ones first
        if firsts.empty:
            continue
        order = firsts.assign(training=firsts["status"] == RUNNING).sort_values("training", ascending=False,
                                                                               kind="stable")
        only = [labels[run_id] for run_id in order["run_id"].head(max_panels)]
        drawn[f"boundary.{dataset}"] = decision_boundary_figure(
            results, dataset, resolution or (40 if len(only) <= 6 else 30), panel_height,
            color_by=encoding.color_by, max_points=max_points, only=only)
    return drawn
