"""NN Design Lab: pick architectures, activations, learning rates and datasets; train every combination with
one small NumPy network; see loss curves, accuracies and decision boundaries together.

A thin layer of widgets and layout: the maths is in ``nn``, the experiments and figures in ``experiments``.
"""
import time
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import streamlit as st

import nn
from experiments import figures as plots
from experiments import figures as views
from experiments.datasets import DATASETS, Catalog, csv_columns, dataset_from_csv, load_dataset
from experiments.limits import GridTooLarge, Limits, check_limits, estimate_seconds
from experiments.lr_finder import lr_range_test
from experiments.results import csv_kind, results_from_csv
from experiments.runner import build_results, run_grid
from experiments.settings import (BATCH_CHOICES, MAX_SEEDS, PRESET_ARCHITECTURES, PRESET_LRS, AppSettings,
                                  parse_custom_architectures, parse_custom_lrs)
from experiments.specs import RunSpec, adapt_layers, load_grid_data, parse_architecture

st.set_page_config(page_title="NN Design Lab", page_icon="🧠", layout="wide")

def demo_limits():
    """The caps, from NN_LAB_* environment variables. On Community Cloud they are set as root-level secrets,
    which Streamlit copies into the environment when the secrets are first loaded."""
    try:
        st.secrets.to_dict()
    except FileNotFoundError:  # no secrets file: the environment (or the defaults) decide
        pass
    return Limits.from_env()


LIMITS = demo_limits()
CACHE_ENTRIES = 3  # comparisons kept per visitor, so asking for the same grid again is instant
LIVE_REFRESH_SECONDS = 0.8


# ----- session state: defaults once, restored from a share link on the first load -----
def widget_defaults(settings):
    values = {"datasets": list(settings.datasets), "architectures": [], "custom_arch": "",
              "activations": list(settings.activations), "lrs": [], "custom_lr": "",
              "optimizers": list(settings.optimizers), "epochs": settings.epochs, "batch_size": settings.batch_size,
              "l2": settings.l2, "n_seeds": settings.n_seeds}
    values["architectures"] = [arch for arch in settings.architectures if arch in PRESET_ARCHITECTURES]
    values["custom_arch"] = "; ".join(arch for arch in settings.architectures if arch not in PRESET_ARCHITECTURES)
    values["lrs"] = [lr for lr in settings.lrs if lr in PRESET_LRS]
    values["custom_lr"] = ", ".join(f"{lr:g}" for lr in settings.lrs if lr not in PRESET_LRS)
    for name, info in DATASETS.items():
        options = settings.dataset_options.get(name, {})
        for option in ("n_samples", "noise", "test_fraction"):
            default = getattr(info, option)
            if default is not None:
                values[f"{option}.{name}"] = options.get(option, default)
    return values


if "initialized" not in st.session_state:
    restored, link_problems = AppSettings.from_query({key: st.query_params.get_all(key) for key in st.query_params})
    for key, value in widget_defaults(restored).items():
        st.session_state.setdefault(key, value)
    st.session_state.update(initialized=True, link_problems=link_problems, results=None, source=None,
                            cache={}, training=None, notice=None, figures={}, results_token=0, custom={},
                            own_error=None)


def custom_datasets():
    """The visitor's own datasets (uploaded CSVs), by name; they live in this session only."""
    return st.session_state.custom


def catalog():
    return Catalog(custom_datasets().values(), max_samples=LIMITS.max_samples)


def add_own_dataset():
    """Button callback: turn the uploaded CSV into a dataset and add it to the comparison."""
    upload = st.session_state.get("own_csv")
    name = "".join(ch for ch in (st.session_state.get("own_name") or "my data") if ch.isalnum() or ch in " _-.")
    try:
        if upload is None:
            raise ValueError("choose a CSV file first.")
        dataset = dataset_from_csv(upload.getvalue(), st.session_state.own_label, name.strip() or "my data",
                                   max_samples=LIMITS.max_samples)
    except ValueError as error:
        st.session_state.own_error = str(error)
        return
    st.session_state.custom = {**st.session_state.custom, dataset.name: dataset}
    st.session_state.cache = {}  # a new file may reuse a name: do not serve old results for it
    st.session_state.datasets = [*[d for d in st.session_state.datasets if d != dataset.name], dataset.name]
    st.session_state.own_error = None


def show_results(results, source, notice=None):
    """Make ``results`` the page's results; figures built for earlier results are dropped."""
    st.session_state.update(results=results, source=source, notice=notice, figures={},
                            results_token=st.session_state.results_token + 1)


def cached_figure(name, build, *options):
    """A figure built once per results and view options, so a rerun for another widget does not rebuild it."""
    key = (st.session_state.results_token, name, options)
    figures = st.session_state.figures
    if key not in figures:
        figures[key] = build()
    return figures[key]


def current_settings():
    """AppSettings from the widgets, and the errors in what was typed."""
    state = st.session_state
    custom_arch, arch_errors = parse_custom_architectures(state.custom_arch)
    custom_lrs, lr_errors = parse_custom_lrs(state.custom_lr)
    options = {}
    for name in (name for name in state.datasets if name in DATASETS):
        info = DATASETS[name]
        options[name] = {option: state[f"{option}.{name}"] for option in ("n_samples", "noise", "test_fraction")
                         if getattr(info, option) is not None}
    settings = AppSettings(
        datasets=tuple(state.datasets), architectures=tuple(dict.fromkeys(state.architectures + custom_arch)),
        activations=tuple(state.activations), lrs=tuple(dict.fromkeys(list(state.lrs) + custom_lrs)),
        optimizers=tuple(state.optimizers), epochs=int(state.epochs), batch_size=state.batch_size,
        l2=float(state.l2), n_seeds=int(state.n_seeds), dataset_options=options)
    return settings, arch_errors + lr_errors


# ----- sidebar: what to compare -----
sidebar = st.sidebar
sidebar.title("NN Design Lab")
plan_box = sidebar.container()  # filled below, once the widgets' values are known

sidebar.subheader("Data")
sidebar.multiselect("Datasets", [*DATASETS, *custom_datasets()], key="datasets",
                    format_func=lambda n: f"{n} · {(DATASETS[n] if n in DATASETS else custom_datasets()[n]).description}")
with sidebar.expander("Your own data"):
    own = st.file_uploader("A CSV with numeric feature columns and a label column", type="csv", key="own_csv")
    if own is not None:
        try:
            columns = csv_columns(own.getvalue())
            st.selectbox("Label column", columns, index=len(columns) - 1, key="own_label")
            st.text_input("Name", value=own.name.rsplit(".", 1)[0][:30], key="own_name")
            st.button("Add to the datasets", key="own_add", on_click=add_own_dataset)
        except ValueError as error:
            st.error(f"Cannot read this file: {error}")
    if st.session_state.own_error:
        st.error(f"Cannot use this file: {st.session_state.own_error}")
    st.caption("Features are standardised with the training part's mean and deviation; 25% is held out for "
               "testing. The data stays in your session and is not part of share links.")
for name in st.session_state.datasets:
    if name not in DATASETS:
        data = custom_datasets()[name]
        sidebar.caption(f"{name}: {len(data.y_train)} training and {len(data.y_test)} test rows, "
                        f"{data.n_features} features, {data.n_classes} classes")
        continue
    info = DATASETS[name]
    with sidebar.expander(f"{name}: options and preview"):
        if info.n_samples is not None:
            st.number_input("Samples", min_value=8, max_value=info.max_samples, step=50, key=f"n_samples.{name}")
        if info.noise is not None:
            st.number_input("Noise", min_value=0.0, max_value=10.0, step=0.05, format="%.2f", key=f"noise.{name}")
        if info.test_fraction is not None:
            st.slider("Test fraction", 0.05, 0.9, step=0.05, key=f"test_fraction.{name}")
        else:
            st.caption("Fixed data: the four points are both the training and the test set.")
        try:
            preview = load_dataset(name, st.session_state.get(f"n_samples.{name}"),
                                   st.session_state.get(f"noise.{name}"),
                                   st.session_state.get(f"test_fraction.{name}"))
            st.plotly_chart(plots.dataset_preview_figure(preview), key=f"preview.{name}",
                            config={"displayModeBar": False})
            st.caption(f"{len(preview.y_train)} training and {len(preview.y_test)} test samples · "
                       f"{preview.n_features} features · {preview.n_classes} classes")
        except ValueError as error:
            st.error(str(error))

sidebar.subheader("Networks")
sidebar.multiselect("Architectures", PRESET_ARCHITECTURES, key="architectures",
                    help="Layer widths, inputs first and classes last. The first and last widths adapt to each "
                         "dataset; the hidden layers are kept.")
sidebar.text_input("Add architectures", key="custom_arch", placeholder="[25, 32, 16, 2]; 25-4-2",
                   help="Any architecture, written like [25, 32, 16, 2], 25,32,16,2 or 25-32-16-2; "
                        "separate several with ';'.")
arch_note = sidebar.empty()
sidebar.multiselect("Hidden activations", sorted(nn.ACTIVATIONS), key="activations")

sidebar.subheader("Training")
sidebar.multiselect("Learning rates", PRESET_LRS, key="lrs", format_func=lambda lr: f"{lr:g}")
sidebar.text_input("Add learning rates", key="custom_lr", placeholder="0.2, 0.003")
sidebar.multiselect("Optimizers", list(nn.OPTIMIZERS), key="optimizers",
                    help="sgd: plain gradient descent; momentum: heavy ball (beta 0.9); adam: adaptive steps.")
left, right = sidebar.columns(2)
left.number_input("Epochs", min_value=1, max_value=100_000, step=50, key="epochs")
right.selectbox("Batch size", BATCH_CHOICES, key="batch_size", format_func=lambda b: "full batch" if b == "full" else str(b))
left.number_input("L2 weight decay", min_value=0.0, max_value=10.0, step=0.0001, format="%.4f", key="l2")
right.number_input("Seeds", min_value=1, max_value=MAX_SEEDS, step=1, key="n_seeds",
                   help="Replicates with different initialisation and shuffling; curves show mean ± std.")

with sidebar.expander("Open saved results"):
    uploads = st.file_uploader("runs.csv and history.csv saved earlier", type="csv", accept_multiple_files=True,
                               key="uploads")
    open_upload = st.button("Show these results", key="open_upload", disabled=not uploads)
with sidebar.expander("Limits of this demo"):
    st.caption(f"Per click: at most {LIMITS.max_runs} runs, {LIMITS.max_epochs} epochs, {LIMITS.max_units} units "
               f"per hidden layer, {LIMITS.max_samples} samples per dataset, and {LIMITS.max_work:.0e} units of "
               "work (parameters × samples × epochs). Run it locally to go further.")

# ----- the plan: what Run will do, or what to fix first -----
settings, input_errors = current_settings()
specs, plan_error, datasets = [], None, {}
for message in st.session_state.link_problems:
    plan_box.warning(message)
if input_errors:
    plan_error = "Fix the highlighted input first."
else:
    try:
        specs = settings.specs(catalog())
        datasets = load_grid_data(specs, catalog())
        check_limits(specs, LIMITS, datasets)
    except GridTooLarge as error:
        plan_error = f"Over this demo's limits. {error}"
    except ValueError as error:
        plan_error = str(error)
for message in input_errors:
    sidebar.error(message)
if settings.datasets and settings.architectures and not input_errors:
    widths = {}  # "[2, …, 2]" -> datasets whose inputs and classes differ from what the architectures say
    for name in settings.datasets:
        info = DATASETS.get(name) or custom_datasets()[name]
        if any(adapt_layers(parse_architecture(a), info.n_features, info.n_classes) != parse_architecture(a)
               for a in settings.architectures):
            widths.setdefault(f"[{info.n_features}, …, {info.n_classes}]", []).append(name)
    if widths:
        arch_note.caption("Runs as " + " · ".join(f"{shape} on {' and '.join(names)}" for shape, names in widths.items())
                          + " (hidden layers kept).")

with plan_box:
    if plan_error:
        st.error(plan_error)
    else:
        seconds = estimate_seconds(specs, datasets)
        st.markdown(f"**{len(specs)} run{'s' if len(specs) != 1 else ''}** · about "
                    f"{max(1, round(seconds)) if seconds >= 1 else '<1'} s of training",
                    help="Estimated on a 2-core server with nobody else training; drawing the page adds a little.")
    run_clicked = st.button("▶ Run", type="primary", key="run", disabled=bool(plan_error), width="stretch")

st.query_params.from_dict(settings.to_query())  # the URL always carries the current settings


# ----- training -----
def remember(key, results):
    cache = st.session_state.cache
    cache.pop(key, None)
    cache[key] = results
    while len(cache) > CACHE_ENTRIES:
        cache.pop(next(iter(cache)))


if st.session_state.training is not None:  # the previous script run was interrupted while training
    partial = st.session_state.training
    st.session_state.training = None
    if partial["outcomes"]:
        outcomes = sorted(partial["outcomes"], key=lambda outcome: outcome.index)
        show_results(build_results(outcomes, partial["datasets"]), "stopped",
                     f"Stopped after {len(outcomes)} of {partial['total']} runs; what finished is shown. "
                     "Press Run to train the whole comparison.")

if open_upload and uploads:
    by_kind = {csv_kind(upload.getvalue()) or "runs": upload.getvalue() for upload in uploads}
    try:
        if "runs" not in by_kind:
            raise ValueError("choose the runs CSV (runs.csv) too; the history CSV alone has no settings.")
        show_results(results_from_csv(by_kind["runs"], by_kind.get("history")), "upload")
    except ValueError as error:
        st.error(f"Could not open the upload: {error}")

if (run_clicked or st.session_state.get("run_main")) and specs and not plan_error:
    key = tuple(specs)
    if key in st.session_state.cache:
        show_results(st.session_state.cache[key], "run", "Same comparison as before: shown from this session's cache.")
    else:
        st.subheader("Training")
        progress_bar = st.progress(0.0, text="Starting…")
        st.button("■ Stop", key="stop", help="Stop training and keep the runs that finished.")
        live_chart = st.empty()
        partial = {"outcomes": [], "total": len(specs), "datasets": datasets, "last_draw": 0.0,
                   "refresh": LIVE_REFRESH_SECONDS}
        st.session_state.training = partial
        started = time.perf_counter()

        def on_progress(done, total, spec, outcome):
            partial["outcomes"].append(outcome)
            progress_bar.progress(done / total, text=f"{done} of {total} runs · last: {spec.dataset} "
                                                     f"{spec.architecture} {spec.activation} lr {spec.lr:g}")
            now = time.perf_counter()
            if now - partial["last_draw"] > partial["refresh"] and done < total:
                so_far = build_results(sorted(partial["outcomes"], key=lambda o: o.index), datasets)
                live_chart.plotly_chart(plots.learning_curves_figure(so_far), key=f"live{done}")
                partial["last_draw"] = time.perf_counter()
                # redrawing grows with the runs done: never spend more than a fifth of the time on it
                partial["refresh"] = max(LIVE_REFRESH_SECONDS, 4 * (partial["last_draw"] - now))

        results = run_grid(specs, progress=on_progress, snapshots=20, catalog=catalog())
        st.session_state.training = None
        results.runs.attrs["wall_seconds"] = time.perf_counter() - started
        remember(key, results)
        show_results(results, "run")
        progress_bar.empty()
        live_chart.empty()
    st.rerun()  # draw the page once, without the training widgets


# ----- the views of the results, one function each (called at the end of the page) -----
VIEWS = ["Compare", "Gradient flow", "Boundary over time", "Inside the network", "Images", "Try it",
         "Learning-rate finder", "Hyperparameters"]



def show_compare():
    """The core page: learning curves, the accuracy table and the decision boundaries, together."""
    several_datasets = runs["dataset"].nunique() > 1  # facets need the full width; the table goes below them
    curves_col, table_col = (st.container(), st.container()) if several_datasets else st.columns([3, 2], gap="medium")
    with curves_col:
        st.subheader("Learning curves")
        controls = st.columns([2, 3, 2])
        metric = controls[0].radio("Show", ["loss", "accuracy"], horizontal=True, key="curve_metric")
        smoothing = controls[1].slider("Smoothing", 0.0, 0.95, 0.0, 0.05, key="smoothing")
        log_y = controls[2].toggle("Log scale", key="log_y", disabled=metric != "loss")
        if results.history.empty:
            st.info("No per-epoch history: upload history.csv with runs.csv to see the curves.")
        else:
            curve_metric = "loss" if metric == "loss" else "acc"
            st.plotly_chart(cached_figure("curves", lambda: plots.learning_curves_figure(results, curve_metric, smoothing,
                                                                                           log_y), curve_metric, smoothing, log_y),
                            key="curves")
        st.caption("Solid: training data · dashed: held-out test data · band: ±1 std over seeds.")
    with table_col:
        st.subheader("Accuracy")
        settings_columns = ["dataset", "architecture", "runs as", "activation", "optimizer", "lr", "batch"]
        constant = [c for c in settings_columns if c != "architecture" and table[c].astype(str).nunique() <= 1]
        if (table["architecture"] == table["runs as"]).all():
            constant.append("runs as")
        order = ["best", *[c for c in settings_columns if c not in constant], "test acc %", "± test", "train acc %",
                 "± train", "loss curve", "test loss", "seeds", "diverged"]
        shown = table[[c for c in order if not ((table["seeds"] == 1).all() and c.startswith("±"))]]
        if constant:
            st.caption("All runs: " + " · ".join(f"{c} {table[c].iloc[0]:g}" if c == "lr" else f"{c} {table[c].iloc[0]}"
                                                  for c in constant if c != "runs as"))
        st.dataframe(
            shown.style.apply(lambda row: ["font-weight: bold; background-color: rgba(255, 193, 7, 0.18)"
                                           if row["best"] == "★" else "" for _ in row], axis=1),
            hide_index=True, width="stretch", key="accuracy_table", height=min(640, 38 + 35 * len(shown)),
            column_config={
                "best": st.column_config.TextColumn("", width=30),
                "runs as": st.column_config.TextColumn("runs as", help="the layers as trained on this dataset"),
                "lr": st.column_config.NumberColumn("lr", format="%g"),
                "train acc %": st.column_config.NumberColumn("train %", format="%.1f"),
                "test acc %": st.column_config.NumberColumn("test %", format="%.1f"),
                "± train": st.column_config.NumberColumn("± train", format="%.1f", help="std over seeds"),
                "± test": st.column_config.NumberColumn("± test", format="%.1f", help="std over seeds"),
                "test loss": st.column_config.NumberColumn("test loss", format="%.3f"),
                "loss curve": st.column_config.LineChartColumn("test loss curve", width="small"),
            })
        st.caption("Mean over seeds; ★ marks the best per dataset. Click a header to sort.")

    st.subheader("Decision boundaries")
    if not results.networks:
        st.info("Decision boundaries need the trained networks, and saved CSV files hold only the numbers. "
                "Press ▶ Run to train this comparison again and see them.")
    else:
        for dataset in dict.fromkeys(runs["dataset"]):
            panels, left_out = plots.boundary_panels(results, dataset)
            if panels.empty:
                st.info(f"{dataset}: no run finished with a network to draw.")
                continue
            st.plotly_chart(cached_figure(f"boundary.{dataset}", lambda: plots.decision_boundary_figure(results, dataset)),
                            key=f"boundary.{dataset}")
            if left_out:
                st.caption(f"{left_out} more configuration(s) on {dataset} are not drawn (at most {plots.MAX_PANELS}).")
        st.caption("Colour: the network's predicted probability · filled dots: training points · rings: test points · "
                   "one panel per configuration (its first seed).")


def first_seed_runs(dataset=None):
    """run_id -> label for the runs drawn as panels (the first seed of each configuration with a network)."""
    labels = results.labels(include_dataset=runs["dataset"].nunique() > 1)
    chosen = {}
    for name in ([dataset] if dataset else dict.fromkeys(runs["dataset"])):
        panels, _ = plots.boundary_panels(results, name)
        chosen.update({run_id: labels[run_id] for run_id in panels["run_id"]})
    return chosen


def pick_run(label, key, dataset=None, default=0):
    options = first_seed_runs(dataset)
    if not options:
        st.info("These results have no trained networks (saved CSV files hold only the numbers). Press ▶ Run.")
        return None
    return st.selectbox(label, list(options), index=min(default, len(options) - 1), format_func=options.get, key=key)


def does_not_apply(error):
    st.info(f"This view does not apply here: {error}")


def show_chart(key, build, *options):
    """The figure ``build()`` makes (cached per results and options), or a plain message if the view does not
    apply to these results."""
    try:
        st.plotly_chart(cached_figure(key, build, *options), key=key)
    except views.DoesNotApply as error:
        does_not_apply(error)


def show_gradient_flow():
    st.caption("How large the loss gradient is at each layer, epoch by epoch (log scale). When the layers near "
               "the input get gradients many times smaller than those near the output, they barely learn: the "
               "vanishing gradients of sigmoid in deep networks, next to relu's.")
    labels = results.labels(include_dataset=runs["dataset"].nunique() > 1)
    first = plots.first_seed_runs(runs)
    options = dict(zip(first["run_id"], first["run_id"].map(labels)))
    chosen = st.multiselect("Runs", list(options), default=list(options)[:6], format_func=options.get, key="gf_runs")
    show_chart("gradient_flow", lambda: views.gradient_flow_figure(results, chosen), tuple(chosen))


def show_boundary_over_time():
    st.caption("The decision boundary as training went on (about 20 snapshots, closer together early on). "
               "Drag the slider or press play.")
    run_id = pick_run("Configuration", "anim_run")
    if run_id is None:
        return
    show_chart("animation", lambda: views.boundary_animation_figure(results, run_id), run_id)


def show_inside():
    st.caption("What each hidden layer makes of the test set, in its first two principal components: the "
               "classes come apart layer by layer. Below, every weight matrix.")
    run_id = pick_run("Network", "inside_run")
    if run_id is None:
        return
    show_chart("hidden_layers", lambda: views.hidden_layers_figure(results, run_id), run_id)
    show_chart("weights", lambda: views.weights_figure(results, run_id), run_id)


def image_datasets():
    return [name for name in dict.fromkeys(runs["dataset"]) if name in DATASETS and DATASETS[name].image_shape
            and first_seed_runs(name)]


def show_images():
    names = image_datasets()
    if not names:
        does_not_apply("it is for the image datasets (edge, lines, digits), and none of them is in these results "
                       "with trained networks.")
        return
    dataset = st.selectbox("Dataset", names, key="images_dataset") if len(names) > 1 else names[0]
    run_ids = list(first_seed_runs(dataset))
    st.markdown("**Confusion matrices** (test set; rows: true class, columns: predicted)")
    show_chart("confusion", lambda: views.confusion_matrices_figure(results, run_ids), dataset)
    run_id = pick_run("Gallery of test images for", "gallery_run", dataset)
    show_chart("gallery", lambda: views.gallery_figure(results, run_id), run_id)


def set_grid(key, grid):
    st.session_state[key] = grid
    st.session_state[f"{key}.version"] = st.session_state.get(f"{key}.version", 0) + 1


def show_try_it():
    names = [name for name in dict.fromkeys(runs["dataset"]) if first_seed_runs(name)]
    if not names:
        st.info("These results have no trained networks (saved CSV files hold only the numbers). Press ▶ Run.")
        return
    dataset = st.selectbox("Dataset", names, key="try_dataset") if len(names) > 1 else names[0]
    run_ids = list(first_seed_runs(dataset))
    data = results.datasets[run_ids[0]]
    if data.image_shape:
        st.caption(f"Draw a {data.image_shape[0]}×{data.image_shape[1]} image: type a brightness from 0 (dark) to 1 "
                   "(bright) in each cell, or start from a test image.")
        key = f"try_grid.{dataset}"
        if key not in st.session_state:
            st.session_state[key] = np.round(data.raw(data.X_test[:1])[0] / data.image.pixel_max, 2).reshape(data.image_shape)
        buttons = st.columns(4)
        buttons[0].button("Clear", key="try_clear", on_click=set_grid, args=(key, np.zeros(data.image_shape)))
        buttons[1].button("Invert", key="try_invert", on_click=set_grid, args=(key, 1.0 - st.session_state[key]))
        sample = int(st.session_state.get("try_sample", 0) + 1) % len(data.y_test)
        buttons[2].button("Next test image", key="try_next", on_click=lambda: (
            st.session_state.update(try_sample=sample),
            set_grid(key, np.round(data.raw(data.X_test[sample:sample + 1])[0] / data.image.pixel_max, 2)
                     .reshape(data.image_shape))))
        grid_cols, image_col = st.columns([3, 1])
        edited = grid_cols.data_editor(
            pd.DataFrame(st.session_state[key], columns=[str(c + 1) for c in range(data.image_shape[1])]),
            key=f"{key}.editor{st.session_state.get(f'{key}.version', 0)}", hide_index=True, width="stretch",
            column_config={str(c + 1): st.column_config.NumberColumn(min_value=0.0, max_value=1.0, step=0.1,
                                                                     format="%.1f")
                           for c in range(data.image_shape[1])})
        pixels = np.clip(np.nan_to_num(edited.to_numpy(dtype=float)), 0.0, 1.0)
        image_col.plotly_chart(plots.image_figure(data.image, pixels * data.image.pixel_max), key="try_image",
                               config={"displayModeBar": False})
        x = data.standardise(pixels.ravel() * data.image.pixel_max)
    elif data.is_2d:
        st.caption("Choose a point: type its coordinates, or click on the plot.")
        low, high = data.X_train.min(axis=0), data.X_train.max(axis=0)
        picked = st.plotly_chart(plots.point_picker_figure(data, st.session_state.get("try_x1", 0.0),
                                                           st.session_state.get("try_x2", 0.0)),
                                 key="try_picker", on_select="rerun", selection_mode="points")
        points = (picked or {}).get("selection", {}).get("points", []) if picked else []
        if points:
            st.session_state.update(try_x1=float(points[0]["x"]), try_x2=float(points[0]["y"]))
        coords = st.columns(2)
        x1 = coords[0].number_input("x1", value=float(st.session_state.get("try_x1", 0.0)), step=0.1, format="%.2f",
                                    min_value=float(low[0] - 10), max_value=float(high[0] + 10))
        x2 = coords[1].number_input("x2", value=float(st.session_state.get("try_x2", 0.0)), step=0.1, format="%.2f",
                                    min_value=float(low[1] - 10), max_value=float(high[1] + 10))
        x = np.array([x1, x2])
    else:
        does_not_apply(f"{dataset} has {data.n_features} features; drawing is for images and clicking for 2-D data.")
        return
    table = views.predictions_table(results, run_ids, x)
    st.dataframe(table, hide_index=True, width="stretch", key="try_predictions", column_config={
        "confidence %": st.column_config.ProgressColumn("confidence", min_value=0, max_value=100, format="%.0f%%"),
        **{c: st.column_config.NumberColumn(format="%.3f") for c in table.columns if c.startswith("P(")}})


def add_learning_rate(lr):
    st.session_state.custom_lr = ", ".join(filter(None, [st.session_state.custom_lr, f"{lr:.2g}"]))


def show_lr_finder():
    st.caption("Train briefly while the learning rate grows from 1e-5 to 10, one step at a time, and plot the "
               "loss against the rate. The loss falls fastest a little before it turns up; the suggestion is the "
               "rate at the lowest loss divided by 10.")
    if not settings.datasets or not settings.architectures or not settings.activations:
        st.info("Choose a dataset, an architecture and an activation in the sidebar first.")
        return
    cols = st.columns(3)
    dataset = cols[0].selectbox("Dataset", settings.datasets, key="lrf_dataset")
    arch = cols[1].selectbox("Architecture", settings.architectures, key="lrf_arch")
    activation = cols[2].selectbox("Activation", settings.activations, key="lrf_activation")
    spec = RunSpec(dataset=dataset, architecture=arch, activation=activation, optimizer=settings.optimizers[0],
                   batch_size=None if settings.batch_size == "full" else settings.batch_size, l2=settings.l2,
                   **settings.dataset_options.get(dataset, {}))
    if st.button("Run the range test", key="lrf_run"):
        try:
            st.session_state.lr_test = (spec, lr_range_test(spec, catalog=catalog(), limits=LIMITS))
        except ValueError as error:
            st.error(str(error))
    stored = st.session_state.get("lr_test")
    if stored and stored[0] == spec:
        test = stored[1]
        st.plotly_chart(views.lr_finder_figure(test), key="lr_finder")
        if test.stopped_early:
            st.caption("The loss blew up before the rate reached 10, so the test stopped there.")
        st.button(f"Add lr {test.suggestion:.2g} to the comparison", key="lrf_add", on_click=add_learning_rate,
                  args=(test.suggestion,))


def show_hyperparameters():
    st.caption("Every run as a line across its settings, coloured by test accuracy. Drag along an axis to "
               "filter.")
    show_chart("parcoords", lambda: views.parallel_coordinates_figure(results))


# ----- the page: welcome, or the results with their views -----
results = st.session_state.results
st.title("How does a network's design change what it learns?")
if results is None:
    st.markdown(
        "Choose datasets, architectures, activations and learning rates in the sidebar. One small NumPy network "
        "trains every combination, and the loss curves, the accuracy table and the decision boundaries appear "
        "here together.\n\nThe defaults are the classic comparison: 5×5 edge patches, three architectures "
        "(`[25, 2]`, `[25, 8, 2]`, `[25, 16, 8, 2]`), ReLU, learning rate 0.1, 200 epochs, batch 16.")
    st.button("▶ Run the classic comparison", type="primary", key="run_main", disabled=bool(plan_error),
              help="The same as Run in the sidebar: trains what the sidebar shows.")
    st.caption("Or change the choices in the sidebar first; the Run button there shows how many runs they make.")
    with st.expander("Not sure which learning rates to compare? Find one first"):
        show_lr_finder()
    st.stop()

if st.session_state.notice:
    st.info(st.session_state.notice)
runs = results.runs
table = cached_figure("table", lambda: plots.accuracy_table(results))
best = table[table["best"] == "★"].sort_values("test acc %", ascending=False).iloc[0] if len(table) else None
metric_cols = st.columns([3, 2, 1, 2])
if best is not None:
    metric_cols[0].metric("Best configuration", f"{best['architecture']} · {best['activation']}",
                          help=f"{best['dataset']}, lr {best['lr']:g}, {best['optimizer']}")
    metric_cols[1].metric("Its test accuracy", f"{best['test acc %']:.1f}%")
metric_cols[2].metric("Runs", f"{len(runs)}", help=", ".join(f"{n} {s}" for s, n in runs["status"].value_counts().items()))
metric_cols[3].metric("Training time", f"{runs.attrs.get('wall_seconds', runs['seconds'].sum()):.1f} s")
problems = runs[runs["status"].isin(["diverged", "error"])]
if len(problems):
    st.warning(f"{len(problems)} run(s) did not train normally: " + "; ".join(
        f"{row.architecture} {row.activation} lr {row.lr:g} seed {row.seed}: {row.message}"
        for row in problems.head(5).itertuples()) + (" …" if len(problems) > 5 else ""))

view = st.radio("View", VIEWS, horizontal=True, key="view", label_visibility="collapsed")
{"Compare": show_compare, "Gradient flow": show_gradient_flow, "Boundary over time": show_boundary_over_time,
 "Inside the network": show_inside, "Images": show_images, "Try it": show_try_it,
 "Learning-rate finder": show_lr_finder, "Hyperparameters": show_hyperparameters}[view]()

st.subheader("Save and share")
save_cols = st.columns([1, 1, 3])
save_cols[0].download_button("⬇ runs.csv", results.runs_csv(), file_name="runs.csv", mime="text/csv",
                             key="download_runs", width="stretch")
save_cols[1].download_button("⬇ history.csv", results.history_csv(), file_name="history.csv", mime="text/csv",
                             key="download_history", width="stretch")
with save_cols[2]:
    base = (st.context.url or "").split("?")[0]
    query = urlencode(settings.to_query(), doseq=True)
    st.markdown("Link to these settings (anyone who opens it sees them and can press Run):")
    if any(name not in DATASETS for name in settings.datasets):
        st.caption("Your own data is not part of the link; whoever opens it sees the other datasets.")
    st.code(f"{base}?{query}" if query else base or "(the page's address)", language=None)
