"""The sidebar: what to compare, the visitor's own data, saved results, and the plan box (how many runs,
how long, or what to fix first) with the Run button. Each typed value's error shows right under it."""
import streamlit as st

import nn
from experiments import figures
from experiments.datasets import DATASETS, MAX_NOISE, MAX_TEST_FRACTION, MIN_SAMPLES, MIN_TEST_FRACTION
from experiments.own_data import csv_columns, dataset_from_csv
from experiments.saved import csv_kind, results_from_csv
from experiments.settings import (BATCH_CHOICES, MAX_L2, MAX_SEEDS, PRESET_ARCHITECTURES, PRESET_LRS, AppSettings,
                                  parse_custom_architectures, parse_custom_lrs, parse_epochs)
from experiments.specs import adapt_layers, has_hidden_layer, parse_architecture

from . import board, state, training
from .plan import make_plan
from .text import plain


def render():
    """Draw the sidebar; return the Plan for what it shows."""
    sidebar = st.sidebar
    sidebar.title("NN Design Lab")
    plan_box = sidebar.container()  # filled at the end, once every widget's value is known
    errors = {}
    rules = board.sidebar_rules()  # a class board's: what it fixes is disabled, saying why (ui/board.py)
    rules.enforce()
    rules.box(sidebar)

    sidebar.subheader("Data")
    catalog = state.catalog()
    sidebar.multiselect("Datasets", catalog.names(), key="datasets",
                        format_func=lambda name: f"{name} · {catalog.info(name).description}",
                        **rules.widget("datasets"))
    errors["datasets"] = _needs_one(sidebar, "datasets", "dataset")
    _own_data(sidebar, rules)
    for name in st.session_state.datasets:
        _dataset_options(sidebar, name, catalog, rules)

    sidebar.subheader("Networks")
    sidebar.multiselect("Architectures", PRESET_ARCHITECTURES, key="architectures",
                        help="Layer widths, inputs first and classes last. The first and last widths adapt to each "
                             "dataset; the hidden layers are kept.")
    custom_arch, errors["custom_arch"] = parse_custom_architectures(st.session_state.custom_arch)
    errors["architectures"] = _needs_one(sidebar, "architectures", "architecture", custom_arch)
    errors["board_cap"] = rules.refused(st.session_state.architectures)  # over a class board's parameter cap
    _field_errors(sidebar, errors["board_cap"])
    sidebar.text_input("Add architectures", key="custom_arch", placeholder="[25, 32, 16, 2]; 25-4-2",
                       help="Any architecture, written like [25, 32, 16, 2], 25,32,16,2 or 25-32-16-2; "
                            "separate several with ';'.")
    errors["custom_arch"] = errors["custom_arch"] or rules.refused(custom_arch)
    _field_errors(sidebar, errors["custom_arch"])
    arch_note = sidebar.empty()
    sidebar.multiselect("Hidden activations", sorted(nn.ACTIVATIONS), key="activations")
    errors["activations"] = _needs_one(sidebar, "activations", "activation")

    sidebar.subheader("Training")
    sidebar.multiselect("Learning rates", PRESET_LRS, key="lrs", format_func=lambda lr: f"{lr:g}")
    custom_lrs, errors["custom_lr"] = parse_custom_lrs(st.session_state.custom_lr)
    errors["lrs"] = _needs_one(sidebar, "lrs", "learning rate", custom_lrs)
    sidebar.text_input("Add learning rates", key="custom_lr", placeholder="0.2, 0.003")
    _field_errors(sidebar, errors["custom_lr"])
    sidebar.multiselect("Optimizers", list(nn.OPTIMIZERS), key="optimizers",
                        help="sgd: plain gradient descent; momentum: heavy ball (beta 0.9); adam: adaptive steps.")
    errors["optimizers"] = _needs_one(sidebar, "optimizers", "optimizer")
    caps = state.limits()
    sidebar.text_input("Epochs", key="epochs",
                       **rules.widget("epochs", help=f"1 to {caps.max_epochs} on this server; 1e3 means 1000."))
    epochs = None
    try:
        epochs = parse_epochs(st.session_state.epochs, caps.max_epochs)
    except ValueError as error:
        errors["epochs"] = [str(error)]
        _field_errors(sidebar, errors["epochs"])
    sidebar.selectbox("Batch size", BATCH_CHOICES, key="batch_size",
                      format_func=lambda b: "full batch" if b == "full" else str(b))
    left, right = sidebar.columns(2)
    left.number_input("L2 weight decay", min_value=0.0, max_value=MAX_L2, step=0.0001, format="%.4f", key="l2")
    right.number_input("Seeds", min_value=1, max_value=MAX_SEEDS, step=1, key="n_seeds",
                       **rules.widget("n_seeds", help="Replicates with different initialisation and shuffling; "
                                                       "curves show mean ± std."))
    _saved_results(sidebar)
    with sidebar.expander("Limits of this demo"):
        st.caption(f"Per click: at most {caps.max_runs} runs, {caps.max_epochs} epochs, {caps.max_units} units per "
                   f"hidden layer, {caps.max_samples} samples per dataset, {caps.max_work:.0e} units of work "
                   f"(parameters × samples × epochs), about {caps.max_seconds:.0f} s of the training workers' time "
                   f"and {caps.max_memory_mb:.0f} MB of memory, as estimated before training. Run it locally to "
                   "go further.")
        store, why_not = state.store()
        if store is None:
            st.warning(plain(why_not), icon=":material/database:")
        else:
            st.caption("Trained comparisons are kept in a results store, so a restart trains nothing again.")

    # while a typed field is wrong, the settings (and so the address bar) keep its last good value
    settings = _settings(_last_good("custom_arch", custom_arch, errors, []),
                         _last_good("custom_lr", custom_lrs, errors, []),
                         _last_good("epochs", epochs, errors, AppSettings().epochs))
    plan = make_plan(settings, catalog, errors)
    _arch_note(arch_note, plan, catalog)
    with plan_box:
        _plan_box(plan)
    return plan


def _needs_one(container, key, what, typed=None):
    """An empty choice (with nothing typed in the box below it, if it has one), said under it in the app's
    words, not the library's "'lrs' must be a non-empty list" at the top."""
    if st.session_state[key] or typed:
        return []
    message = f"Choose at least one {what}" + (", or add one below." if typed is not None else ".")
    _field_errors(container, [message])
    return [message]


def _field_errors(container, messages):
    for message in messages:
        container.error(plain(message), icon=":material/error:")


def _last_good(key, value, errors, default):
    """A typed field's value; while it has an error, the last value it had without one (``default`` if it
    never had one), so a link copied meanwhile restores what the visitor chose, not a stand-in."""
    if errors.get(key):
        return st.session_state.get(f"last_good.{key}", default)
    st.session_state[f"last_good.{key}"] = value
    return value


def _settings(custom_arch, custom_lrs, epochs):
    s = st.session_state
    options = {}
    for name in (n for n in s.datasets if n in DATASETS):
        info = DATASETS[name]
        options[name] = {option: s[f"{option}.{name}"] for option in ("n_samples", "noise", "test_fraction")
                         if getattr(info, option) is not None and f"{option}.{name}" in s}
    return AppSettings(
        datasets=tuple(s.datasets), architectures=tuple(dict.fromkeys(list(s.architectures) + custom_arch)),
        activations=tuple(s.activations), lrs=tuple(dict.fromkeys(list(s.lrs) + custom_lrs)),
        optimizers=tuple(s.optimizers), epochs=epochs, batch_size=s.batch_size, l2=float(s.l2),
        n_seeds=int(s.n_seeds), dataset_options=options)


# Seconds from the end of a training to the visitor's charts: the next poll of the progress fragment, then
# the script run that draws the results, longer the more runs (measured with benchmarks/bench_class.py).
SHOW_SECONDS = (0.5, 0.03)


def _plan_box(plan):
    for message in st.session_state.link_problems:
        st.warning(plain(message))
    job = st.session_state.job
    if plan.error:
        st.error(plain(plan.error))
    else:
        n = len(plan.specs)
        likely = plan.wait_seconds()
        if likely == 0:
            timing = "ready at once (trained before)"
        else:
            likely += SHOW_SECONDS[0] + SHOW_SECONDS[1] * n  # the page sees the end, then draws the results
            timing = f"about {'<1' if likely < 1 else round(likely)} s, at most about {round(2 * likely + 1)} s"
        st.markdown(f"**{n} run{'s' if n != 1 else ''}** · {timing}",
                    help="From a time model of the training, scaled by how fast this server trained recent "
                         "comparisons, counting the comparisons of other visitors ahead in the queue and the "
                         "time to draw the results.")
        collapsed = [a for a in plan.settings.architectures if not has_hidden_layer(a)]
        if collapsed and len(plan.settings.activations) > 1:
            st.caption(f"{', '.join(collapsed)} has no hidden layer, so it has no activation: it is trained once, "
                       "not once per activation.")
    if job is not None and not job.ready():
        st.button("Training… (Stop is above the results)", key="run", disabled=True, width="stretch")
        if not plan.error and plan.key != job.specs:
            st.button("Stop and run these settings", key="restart", width="stretch",
                      on_click=training.restart, args=(plan,))
    else:
        st.button("Run", icon=":material/play_arrow:", type="primary", key="run", disabled=bool(plan.error), width="stretch",
                  on_click=training.start, args=(plan,))


def _arch_note(placeholder, plan, catalog):
    """'Runs as [2, …, 2] on circles': how the architectures adapt to each dataset's inputs and classes."""
    if not plan.specs:
        return
    widths = {}
    for name in plan.settings.datasets:
        info = catalog.info(name)
        if any(adapt_layers(parse_architecture(a), info.n_features, info.n_classes) != parse_architecture(a)
               for a in plan.settings.architectures):
            widths.setdefault(f"[{info.n_features}, …, {info.n_classes}]", []).append(name)
    if widths:
        placeholder.caption("Runs as " + " · ".join(f"{shape} on {' and '.join(map(plain, names))}"
                                                    for shape, names in widths.items()) + " (hidden layers kept).")


@st.cache_data(max_entries=state.DATASET_CACHE_ENTRIES, show_spinner=False)
def _preview(name, n_samples, noise, test_fraction, max_samples):
    data = state.SessionCatalog(max_samples=max_samples).load(name, n_samples, noise, test_fraction)
    return figures.dataset_preview_figure(data), (len(data.y_train), len(data.y_test), data.n_features,
                                                  data.n_classes)


def _dataset_options(sidebar, name, catalog, rules):
    if name not in DATASETS:
        data = catalog.info(name)
        sidebar.caption(f"{plain(name)}: {len(data.y_train)} training and {len(data.y_test)} test rows, "
                        f"{data.n_features} features, {data.n_classes} classes")
        return
    info = DATASETS[name]
    with sidebar.expander(f"{name}: options and preview"):
        if info.n_samples is not None:
            st.number_input("Samples", min_value=MIN_SAMPLES, max_value=catalog.max_samples_of(name), step=50,
                            key=f"n_samples.{name}", **rules.widget(f"n_samples.{name}"))
        if info.noise is not None:
            st.number_input("Noise", min_value=0.0, max_value=MAX_NOISE, step=0.05, format="%.2f",
                            key=f"noise.{name}", **rules.widget(f"noise.{name}"))
        if info.test_fraction is not None:
            st.slider("Test fraction", MIN_TEST_FRACTION, MAX_TEST_FRACTION, step=0.05, key=f"test_fraction.{name}",
                      **rules.widget(f"test_fraction.{name}"))
        else:
            st.caption("Fixed data: the four points are both the training and the test set.")
        s = st.session_state
        try:
            figure, (n_train, n_test, n_features, n_classes) = _preview(
                name, s.get(f"n_samples.{name}"), s.get(f"noise.{name}"), s.get(f"test_fraction.{name}"),
                catalog.max_samples)
        except ValueError as error:
            st.error(plain(error))
            return
        st.plotly_chart(figure, key=f"preview.{name}", config={"displayModeBar": False})
        st.caption(f"{n_train} training and {n_test} test samples · {n_features} features · {n_classes} classes")


# ----- the visitor's own data -----
def _own_file_changed():
    st.session_state.own_error = None


def _add_own_dataset():
    """Button callback: turn the uploaded CSV into a dataset and add it to the comparison."""
    s = st.session_state
    upload = s.get("own_csv")
    name = "".join(ch for ch in (s.get("own_name") or "my data") if ch.isalnum() or ch in " _-.").strip()
    try:
        if upload is None:
            raise ValueError("choose a CSV file first.")
        data = dataset_from_csv(upload.getvalue(), s.own_label, name or "my data",
                                max_samples=state.limits().max_samples)
    except ValueError as error:
        s.own_error = str(error)
        return
    s.own_datasets = {**s.own_datasets, data.name: data}
    s.recent = {}  # a new file may reuse a name: do not serve old results for it
    s.datasets = [*[d for d in s.datasets if d != data.name], data.name]
    s.own_error = None


def _own_data(sidebar, rules):
    with sidebar.expander("Your own data"):
        own = st.file_uploader("A CSV with numeric feature columns and a label column", type="csv", key="own_csv",
                               on_change=_own_file_changed)
        if own is not None:
            try:
                columns = csv_columns(own.getvalue())
            except ValueError as error:
                st.error(plain(f"Cannot read this file: {error}"))
            else:
                st.selectbox("Label column", columns, index=len(columns) - 1, key="own_label")
                st.text_input("Name", value=own.name.rsplit(".", 1)[0][:30], key="own_name", max_chars=30)
                st.button("Add to the datasets", key="own_add", on_click=_add_own_dataset, **rules.widget("own_add"))
        if st.session_state.own_error:
            st.error(plain(f"Cannot use this file: {st.session_state.own_error}"))
        st.caption("Comma-, semicolon- or tab-separated. Features are standardised with the training part's mean "
                   "and deviation; 25% is held out for testing. The data stays in your session and is not part "
                   "of share links.")


# ----- results saved earlier -----
def _uploads_changed():
    st.session_state.update(open_error=None, open_notes=[])


def _open_saved():
    uploads = st.session_state.get("uploads") or []
    by_kind = {}
    for upload in uploads:
        by_kind.setdefault(csv_kind(upload.getvalue()) or "runs", []).append(upload)
    try:
        twice = next((kind for kind, files in by_kind.items() if len(files) > 1), None)
        if twice:  # the later would be used without a word
            raise ValueError(f"choose one {twice} CSV at a time (and its {'history' if twice == 'runs' else 'runs'} "
                             f"CSV); {len(by_kind[twice])} files read as {twice} CSVs: "
                             f"{', '.join(f.name for f in by_kind[twice])}.")
        if "runs" not in by_kind:
            raise ValueError("choose the runs CSV (runs.csv) too; the history CSV alone has no settings.")
        results = results_from_csv(*(by_kind[kind][0].getvalue() if kind in by_kind else None
                                     for kind in ("runs", "history")))
    except ValueError as error:
        st.session_state.open_error = str(error)
        return
    caps = state.limits()
    settings, problems = AppSettings.from_runs(results.runs, max_epochs=caps.max_epochs, max_samples=caps.max_samples)
    state.apply_settings(settings)
    st.session_state.update(open_error=None, open_notes=problems)
    state.show_results(results, settings, "upload", "Opened from saved CSV files; the sidebar now shows their "
                                                   "settings. Press Run to train them again and see every view.")


def _saved_results(sidebar):
    with sidebar.expander("Open saved results"):
        uploads = st.file_uploader("runs.csv and history.csv saved earlier", type="csv", accept_multiple_files=True,
                                   key="uploads", on_change=_uploads_changed)
        st.button("Show these results", key="open_upload", disabled=not uploads, on_click=_open_saved)
        if st.session_state.get("open_error"):
            st.error(plain(f"Could not open the upload: {st.session_state.open_error}"))
        for note in st.session_state.get("open_notes") or []:  # settings this server shows otherwise
            st.warning(plain(note))
