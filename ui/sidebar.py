"""The sidebar: what to compare, the visitor's own data, saved results, and the plan box (how many runs,
how long, or what to fix first) with the Run button. Each typed value's error shows right under it."""
import streamlit as st

from experiments import figures
from experiments.datasets import DATASETS
from experiments.fields import ARCHITECTURE, app_fields
from experiments.own_data import csv_columns, dataset_from_csv
from experiments.saved import csv_kind, results_from_csv
from experiments.settings import AppSettings
from experiments.specs import adapt_layers, has_hidden_layer, parse_architecture

from . import board, state, training
from .plan import make_plan
from .setting_widgets import SettingWidgets
from .text import plain


def render():
    """Draw the sidebar; return the Plan for what it shows."""
    sidebar = st.sidebar
    sidebar.title("NN Design Lab")
    plan_box = sidebar.container()  # filled at the end, once every widget's value is known
    rules = board.sidebar_rules()  # a class board's: what it fixes is disabled, saying why (ui/board.py)
    rules.enforce()
    rules.box(sidebar)
    catalog, caps = state.catalog(), state.limits()
    widgets = SettingWidgets(rules, caps, catalog)
    arch_note, beside = None, []
    for row in app_fields():  # one widget per row of the settings table (experiments/fields.py), in its order
        if row.widget.section:
            sidebar.subheader(row.widget.section)
        if row.widget.half:
            beside = beside or list(sidebar.columns(2))
            widgets.draw(beside.pop(0), row)
        else:
            widgets.draw(sidebar, row)
        if row.name == "dataset":
            _own_data(sidebar, rules)
            for name in st.session_state.datasets:
                _dataset_box(sidebar, name, catalog, widgets)
        elif row.type == ARCHITECTURE:
            arch_note = sidebar.empty()
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

    plan = make_plan(widgets.settings(), catalog, widgets.errors)
    _arch_note(arch_note, plan, catalog)
    with plan_box:
        _plan_box(plan)
    return plan


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
        st.button("Run", icon=":material/play_arrow:", type="primary", key="run", disabled=bool(plan.error),
                  width="stretch", on_click=training.start, args=(plan,))


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


def _dataset_box(sidebar, name, catalog, widgets):
    """A built-in dataset's options (from the settings table) and its preview; a sentence for the visitor's own."""
    if name not in DATASETS:
        data = catalog.info(name)
        sidebar.caption(f"{plain(name)}: {len(data.y_train)} training and {len(data.y_test)} test rows, "
                        f"{data.n_features} features, {data.n_classes} classes")
        return
    with sidebar.expander(f"{name}: options and preview"):
        widgets.data_options(st.container(), name)
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
