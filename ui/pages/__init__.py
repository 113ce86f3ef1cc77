"""The pages, one module each: the one list of views. A page module defines ``show(view)``, a function of
``ui.state.View`` (results, settings, catalog, caps), and runs it when Streamlit executes the file.

To add a view: write ``ui/pages/<name>.py`` with ``show(view)`` and add one row here.
"""
import os

import streamlit as st

HERE = os.path.dirname(os.path.abspath(__file__))

PAGES = [  # file, title, url path, icon
    ("compare.py", "Compare", "compare", ":material/dashboard:"),
    ("lessons.py", "Lessons", "lessons", ":material/school:"),
    ("gradient_flow.py", "Gradient flow", "gradient-flow", ":material/stacked_line_chart:"),
    ("boundary_over_time.py", "Boundary over time", "boundary-over-time", ":material/movie:"),
    ("inside.py", "Inside the network", "inside", ":material/hub:"),
    ("images.py", "Images", "images", ":material/image:"),
    ("try_it.py", "Try it", "try-it", ":material/draw:"),
    ("lr_finder.py", "Learning-rate finder", "lr-finder", ":material/speed:"),
    ("hyperparameters.py", "Hyperparameters", "hyperparameters", ":material/tune:"),
    ("board.py", "Class board", "board", ":material/leaderboard:"),
]


def build():
    """The st.Page objects, Compare first (the default, at the app's root URL)."""
    return [st.Page(os.path.join(HERE, file), title=title, url_path=url_path, icon=icon, default=index == 0)
            for index, (file, title, url_path, icon) in enumerate(PAGES)]


def by_url_path(pages, url_path):
    return next((page for page in pages if page.url_path == url_path), pages[0])


# The top navigation puts the pages that do not fit under "N more" and marks none of them as current: the
# button and the page's entry in its menu are marked the way the current page's own link is.
CURRENT = "background-color: rgba(188, 187, 175, 0.25); font-weight: 600"


def navigation_css(current):
    """CSS that marks ``current`` (an st.Page) when it sits under "N more": that button (the hidden copy of the
    page's link carries aria-current) and the page's entry in the menu (found by its URL path)."""
    rules = [f"nav[data-testid=stTopNav]:has([inert] a[aria-current=page]) button[data-testid=stTopNavSection] "
             f"{{{CURRENT}}}"]
    if current.url_path:
        rules.append(f'a[data-testid=stTopNavDropdownLink][href$="/{current.url_path}"] {{{CURRENT}}}')
    return " ".join(rules)
