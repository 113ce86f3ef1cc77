"""NN Design Lab: pick architectures, activations, learning rates and datasets; one small NumPy network trains
every combination; see the loss curves, the accuracy table and the decision boundaries together.

This file is the frame: page settings, the session, the sidebar, then the page the visitor is on.
The maths is in ``nn``, experiments and figures in ``experiments``, widgets and pages in ``ui``.
"""
import streamlit as st

from ui import board, links, pages, sidebar, state, training

st.set_page_config(page_title="NN Design Lab", page_icon="🧠", layout="wide")
st.html("<style>[data-testid=stMainBlockContainer] {padding-top: 3.5rem}"  # results start higher
        # curves beside boundaries need the room of a wide window; in a narrower one each takes the width
        "@media (max-width: 1199px) {[class*=st-key-side_by_side] > div > [data-testid=stHorizontalBlock] "
        "{flex-wrap: wrap} [class*=st-key-side_by_side] > div > div > [data-testid=stColumn] "
        "{flex: 1 1 100% !important; width: 100% !important; min-width: 100% !important}}</style>")

try:
    caps = state.limits()  # the operator's caps, checked once; a bad setting is named here
except state.ConfigurationError as error:
    st.error(str(error))
    st.stop()
state.configure_process()  # one BLAS thread (visitors share two cores), memory that goes back to the system
state.bootstrap()  # session defaults, from the share link if the visitor opened one
board.open_link()  # a class board's link: its rules in the sidebar, its page first

plan = sidebar.render()  # the choices, and what Run would train
links.open_pending(plan)  # a results link: the comparison it names, at once
# the address bar carries the settings, the results on screen if they are stored, and the class board
st.query_params.from_dict({**plan.settings.to_query(), **links.query(plan), **board.query()})
st.session_state.view = state.View(st.session_state.results, plan.settings, st.session_state.results_settings,
                                   state.catalog(), caps, plan)

all_pages = pages.build()
page = st.navigation(all_pages, position="top")
st.html(f"<style>{pages.navigation_css(page)}</style>")  # the current page marked under "N more" too
if st.session_state.get("goto"):  # a lesson asked for the page that shows it best
    st.switch_page(pages.by_url_path(all_pages, st.session_state.pop("goto")))
training.panel(live=page.url_path == "")  # progress of a running comparison on every page; live on Compare
page.run()
