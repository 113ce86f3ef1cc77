"""Lessons: the one-click comparisons that each teach one thing about design, reachable at any time (before
the first run they are also Compare's welcome)."""
import streamlit as st

from ui.widgets import lesson_cards


def show(view):
    st.header("Lessons", anchor=False)
    st.caption("Each lesson puts its settings in the sidebar, trains them (a few seconds) and opens the page that "
               "shows it best. Your own settings are replaced; a share link keeps them (Save and share on Compare).")
    lesson_cards(first_primary=False)


if __name__ == "__main__":
    show(st.session_state.view)
