"""The session: the caps, defaults set once (from a share link on the first load), the mapping between the
sidebar's widgets and AppSettings, the visitor's results, and the caches.

Everything here that is shared by all visitors goes through ``st.cache_resource`` or ``st.cache_data``,
each bounded by ``max_entries``; everything else lives in ``st.session_state``.
"""
import threading
import time
import uuid
from dataclasses import dataclass

import streamlit as st

from experiments.datasets import Catalog
from experiments.limits import Limits
from experiments.settings import AppSettings, dropped_link
from experiments.store.keys import is_key

from . import setting_widgets

FIGURE_CACHE_ENTRIES = 64  # figures of all visitors' results; each entry is at most a few MB
RESULT_CACHE_ENTRIES = 24  # finished comparisons shared by all visitors ...
RESULT_CACHE_BYTES = 64e6  # ... and at most this many bytes of them
POOL_MAX_JOBS = 40  # comparisons waiting or training at once; more visitors are asked to try again shortly
POOL_MAX_PER_CLIENT = 8  # of them from one address (a class behind one school router shares one)
SNAPSHOTS = 20  # weight snapshots kept per drawn run, for "while they learned"
RESULTS_PARAM = "results"  # a results link: ?<settings>&results=<the comparison's key in the store>
DATASET_CACHE_ENTRIES = 32


class ConfigurationError(Exception):
    """The operator's settings (environment variables or secrets) are wrong; the message says which."""


@st.cache_resource(show_spinner=False)
def limits():
    """The caps, from NN_LAB_* environment variables. On Community Cloud they are set as root-level secrets,
    which Streamlit copies into the environment when the secrets are first read."""
    try:
        st.secrets.to_dict()
    except FileNotFoundError:  # no secrets file: the environment (or the defaults) decide
        pass
    except Exception as error:  # noqa: BLE001 - a malformed secrets.toml must not pass silently
        raise ConfigurationError(f"The server's secrets file could not be read ({type(error).__name__}); "
                                 "fix .streamlit/secrets.toml or the app's Secrets box.") from None
    try:
        return Limits.from_env()
    except ValueError as error:
        raise ConfigurationError(f"This server is misconfigured: {error}") from None


@st.cache_resource(show_spinner=False)
def configure_process():
    """Once per server process: BLAS limited to one thread (visitors share the cores instead of fighting
    over them), and large arrays served from their own mappings, so that the memory of a visitor's large
    results goes back to the system when they are dropped (experiments.pool.memory)."""
    from threadpoolctl import threadpool_limits

    from experiments.pool.memory import fix_mmap_threshold
    fix_mmap_threshold()
    return threadpool_limits(limits=1)


@st.cache_resource(show_spinner=False)
def store():
    """(the experiment store, "") or (None, why not): ``experiments.store``, configured by NN_LAB_STORE_URL,
    the secret ``[connections.results] url`` or the SQLite file in NN_LAB_DATA_DIR. One that cannot be
    opened leaves the server with its memory cache alone; the reason is logged once and shown in the
    sidebar's limits box."""
    from experiments.store import ResultStore
    return ResultStore.open_or_none(secrets=st.secrets)


@st.cache_resource(show_spinner=False)
def pool():
    """The server's one training pool (``experiments.pool``): at most one worker process per core, each
    with one BLAS thread, and finished comparisons shared by every visitor (bounded in entries and bytes,
    and kept in the store, if there is one, across restarts). The default comparison starts training here,
    on the first visit (or is read from the store), and stays for good, so everyone's Run finds it ready."""
    from experiments.pool import ResultCache, TrainingPool
    training_pool = TrainingPool(cache=ResultCache(RESULT_CACHE_ENTRIES, RESULT_CACHE_BYTES), max_jobs=POOL_MAX_JOBS,
                                 max_per_client=POOL_MAX_PER_CLIENT, store=store()[0])
    builtin = Catalog(max_samples=limits().max_samples)
    try:
        training_pool.preload(AppSettings().specs(builtin), builtin, snapshots=SNAPSHOTS,
                              settings=AppSettings().to_query())
    except ValueError:  # the operator's caps exclude the default comparison: no head start, nothing broken
        pass
    return training_pool


class Watchers:
    """The sessions watching a comparison learn (the live charts), server-wide: each says so at every
    redraw, and counts as watching until it has missed two of its redraws."""

    def __init__(self):
        self.seen_at, self.lock = {}, threading.Lock()  # session -> (when it last redrew, its interval)

    def seen(self, session, interval):
        with self.lock:
            self.seen_at[session] = (time.monotonic(), interval)

    def count(self, besides=None):
        """How many watch now, ``besides`` (a session) counted as one of them."""
        with self.lock:
            now = time.monotonic()
            self.seen_at = {s: (t, i) for s, (t, i) in self.seen_at.items() if now - t < 2 * i + 1}
            return len(self.seen_at.keys() | ({besides} if besides is not None else set()))


@st.cache_resource(show_spinner=False)
def watchers():
    """The sessions drawing live charts now."""
    return Watchers()


@st.cache_resource(show_spinner=False)
def pollers():
    """The sessions polling a comparison's progress now (training or waiting)."""
    return Watchers()


def session_token():
    """A name for this session, for server-wide counts."""
    return st.session_state.setdefault("session_token", uuid.uuid4().hex)


def owner():
    """This visitor, as the training pool knows them (``experiments.pool.job.Owner``): their session, the
    address they connect from, and whether their page is still connected, which the pool asks every half
    second so that a closed tab's comparison stops within seconds. Without a server (AppTest) always there."""
    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    from experiments.pool.job import Owner
    context = get_script_run_ctx(suppress_warning=True)
    session = context.session_id if context else None
    if session is None or not Runtime.exists():
        return Owner(session=session, client=client_address())
    runtime = Runtime.instance()
    return Owner(session=session, client=client_address(), alive=lambda: runtime.is_active_session(session))


def client_address():
    """The address this visitor's page connects from: the last proxy's word (X-Forwarded-For's last entry)
    behind a proxy, else the connection's own; None on localhost. A guard against one browser filling the
    queue, not a security measure: a visitor without a proxy can write any X-Forwarded-For."""
    try:
        forwarded = st.context.headers.get("X-Forwarded-For") or ""
        address = forwarded.split(",")[-1].strip() or st.context.ip_address
    except Exception:  # noqa: BLE001 - no request context (a test): unknown
        return None
    return address[:64] if address else None


def session_cache(name):
    """A dict of this session's own, kept in its state (the caller bounds it), oldest entries first."""
    return st.session_state.setdefault(f"cache.{name}", {})


# ----- data, cached for every visitor -----
@st.cache_data(max_entries=DATASET_CACHE_ENTRIES, show_spinner=False)
def _load_builtin(name, n_samples, noise, test_fraction, seed, max_samples):
    return Catalog(max_samples=max_samples).load(name, n_samples, noise, test_fraction, seed)


class SessionCatalog(Catalog):
    """The built-in datasets (loaded through a cache shared by all visitors) plus this visitor's own."""

    def load(self, name, n_samples=None, noise=None, test_fraction=None, seed=0):
        if name in self.own:
            return self.own[name]
        self.check_name(name)
        return _load_builtin(name, n_samples, noise, test_fraction, seed, self.max_samples)


def catalog():
    return SessionCatalog(st.session_state.own_datasets.values(), max_samples=limits().max_samples)


# ----- figures, cached by the results' token and the view's options -----
@st.cache_resource(max_entries=FIGURE_CACHE_ENTRIES, show_spinner=False)
def _figure(name, token, options, _draw, _results):
    return _draw(_results, **dict(options))


@st.cache_data(max_entries=FIGURE_CACHE_ENTRIES, show_spinner=False)
def _table(name, token, options, _draw, _results):
    return _draw(_results, **dict(options))


def figure(draw, results, **options):
    """``draw(results, **options)``, a function of experiments.figures that returns a Plotly figure or a
    canvas payload, made once per results and options and shared by every session (only read:
    st.plotly_chart copies a figure to send it; a copy per session would cost more than drawing it, as
    unpickling a figure re-validates every property). The options must be hashable (tuples, not lists)."""
    return _figure(draw.__qualname__, results.token, tuple(sorted(options.items())), draw, results)


def table(draw, results, **options):
    """``draw(results, **options)``, a function of experiments.figures that returns a table, made once per
    results and options and copied to each session, which may sort or slice it."""
    return _table(draw.__qualname__, results.token, tuple(sorted(options.items())), draw, results)


# ----- the sidebar's widgets <-> AppSettings -----
def widget_values(settings):
    """The value of every sidebar widget that shows ``settings`` (ui/setting_widgets.py)."""
    return setting_widgets.widget_values(settings, own_datasets=st.session_state.own_datasets)


def apply_settings(settings):
    """Show ``settings`` in the sidebar (call from a callback, before the widgets are drawn)."""
    st.session_state.update(widget_values(settings))
    st.session_state.field_errors = {}


def bootstrap():
    """Session defaults, once: restored from the share link the visitor opened, if any."""
    if "initialized" in st.session_state:
        return
    caps = limits()
    query = {key: st.query_params.get_all(key) for key in st.query_params}
    restored, problems = AppSettings.from_query(query, max_epochs=caps.max_epochs, max_samples=caps.max_samples)
    problems = dropped_link(_raw_query_string(), query) + problems
    pending = st.query_params.get(RESULTS_PARAM)
    if pending is not None and not is_key(pending):
        problems.append(f"link parameter {RESULTS_PARAM}: not the name of stored results; left out.")
        pending = None
    st.session_state.own_datasets = {}
    for key, value in widget_values(restored).items():
        st.session_state.setdefault(key, value)
    st.session_state.update(
        initialized=True, from_link=bool(query), link_problems=problems, results=None, results_settings=None,
        results_source=None, notice=None, job=None, own_error=None, field_errors={}, recent={}, results_key=None,
        pending_results=pending)  # a results link: opened once the plan is made (links.open_pending)


def _raw_query_string():
    """The query string the browser sent. Streamlit drops a link of more than 1000 fields whole before
    st.query_params sees it (and only logs it); no public API shows the original, so this reads the script
    run's context (there in Streamlit 1.63 to 1.67), and says nothing if it cannot."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    return getattr(get_script_run_ctx(), "query_string", "") or ""


@dataclass
class View:
    """What every page is a function of: the visitor's results (or None), the settings in the sidebar and
    the settings the results were made with (None for results opened from CSV without settings)."""

    results: object
    settings: AppSettings
    results_settings: AppSettings | None
    catalog: Catalog
    limits: Limits
    plan: object  # ui.plan.Plan: what Run would train now


def show_results(results, settings, source, notice=None, key=None):
    """Make ``results`` the visitor's results; ``key``: their name in the store (a results link), if any."""
    st.session_state.update(results=results, results_settings=settings, results_source=source, notice=notice,
                            link_problems=[], results_key=key)
