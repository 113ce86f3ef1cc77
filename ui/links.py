"""Links a visitor copies and opens: the share link (the settings; the address bar always carries them) and
the results link (the settings and the comparison's key in the experiment store: anyone who opens it sees
the trained comparison at once, charts, table and every view, while the store keeps it; when it no longer
does, the settings still come back, with Run to train them again and a word saying why)."""
from urllib.parse import urlencode

import streamlit as st

from experiments.store.keys import store_key

from . import state


def base_url():
    return (st.context.url or "").split("?")[0]


def settings_url(settings):
    query = urlencode(settings.to_query(), doseq=True)
    return f"{base_url()}?{query}" if query else base_url() or "(the page's address)"


def results_url(settings, key):
    query = urlencode({**settings.to_query(), state.RESULTS_PARAM: key}, doseq=True)
    return f"{base_url()}?{query}"


def query(plan):
    """The address bar's part for the results on screen: {"results": key} while they are a stored comparison
    (``results_key``) and the sidebar still names it, so that a reload or a bookmark opens them again at once;
    else nothing (the settings alone)."""
    key = st.session_state.get("results_key")
    if key is None or plan.stored_name != key:
        return {}
    return {state.RESULTS_PARAM: key}


def shareable_key(specs):
    """The store key of the comparison of ``specs`` (complete and trained), if a results link can name it: on
    built-in data, with a store to keep it. None otherwise."""
    if state.store()[0] is None or any(spec.dataset in state.catalog().own for spec in specs):
        return None
    return store_key(specs, state.SNAPSHOTS)


def open_pending(plan):
    """The results link this session was opened with, if any (``state.bootstrap`` keeps its key): show the
    comparison it names, from the memory cache or the store, at once; else say why not. Never trains."""
    key = st.session_state.pop("pending_results", None)  # checked by state.bootstrap: 64 hex digits
    if key is None:
        return
    job = None
    if plan.stored_name == key:
        job = state.pool().find(plan.specs, state.catalog(), state.SNAPSHOTS, owner=state.owner())
    if job is None:
        st.session_state.notice = ("This results link names a comparison this server no longer keeps (the store "
                                   "keeps the most recently used ones) or never trained. The sidebar shows its "
                                   "settings: press Run to train them again.")
        return
    results = job.result(timeout=0)
    results.runs.attrs.update(from_cache=True, from_link=True)
    state.show_results(results, plan.settings, "link", "Opened from a results link: trained earlier on this server, "
                                                       "shown at once.", key=key)
