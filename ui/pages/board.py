"""Class board (docs/board.md): a teacher opens a board for one dataset with its rules and gets two links, the
class's and their own; a student on the board trains under its rules (the sidebar) and posts configurations
of their results under a nickname; the ranking refreshes by itself and draws the leader beside another
entry. Every rule and refusal is the store's (``experiments.store.boards``); this page shows them."""
import time
from functools import partial
from urllib.parse import urlencode

import streamlit as st

from experiments.datasets import DATASETS
from experiments.fields import MAX_SEEDS, app_range, data_options
from experiments.figures import configuration_label, entry_id, entry_name, ranking_table
from experiments.store.boards import DEFAULT_ENTRIES, MAX_ENTRIES, MAX_TEXT, postable

from ui import board, links, state
from ui.components import canvas
from ui.text import plain

REFRESH_SECONDS = 3.0  # the ranking redraws itself this often (its store read is shared: ui/board.py) ...
DRAW_SECONDS = 10.0  # ... the drawings beside it less often: they cost as much again (bench_board.py)
STORE_WAIT = 30.0  # seconds a post waits for the pool to finish writing the visitor's comparison to the store
MAX_BOARDS_PER_SESSION = 5
HOURS = {"2 hours": 2, "1 day": 24, "3 days": 72, "1 week": 168, "30 days": 720}
RANKING_HEIGHT = 290  # pixels: about 7 entries; more scroll inside the table


def show(view):
    store, why_not = state.store()
    if store is None:
        st.header("Class board", anchor=False)
        st.warning(f"Class boards need the results store, and this server has none: {plain(why_not)}",
                   icon=":material/database:")
        return
    if st.session_state.get("board_error"):
        st.error(plain(f"The results store failed: {st.session_state.pop('board_error')}"))
    current = board.current()
    if current is None:
        st.header("Class board", anchor=False)
        if st.session_state.get("board_notice"):
            st.warning(st.session_state.pop("board_notice"), icon=":material/event_busy:")
        st.markdown("A board lets a class compare its own designs on one dataset: the teacher fixes the data, the "
                    "epochs, the seeds and a parameter budget; each student trains networks in the sidebar and posts "
                    "the best under a nickname. The server scores every entry from what it trained itself.")
        create_form(view)
        return
    show_board(current, view)
    with st.expander("Open another board (for teachers)"):
        create_form(view)


# ----- a board -----
def show_board(current, view):
    rules = current.rules
    st.header(plain(current.title), anchor=False)
    ends = current.expires - time.time()
    st.caption(plain(board.rules_text(rules)) + f" · at most {rules.max_entries} entries · "
               + ("closed: no more entries" if current.closed else "open for entries")
               + f" · ends in {_duration(ends)}")
    made_links(current)
    if board.is_teacher(current):
        teacher_box(current)
    elif st.session_state.get("board_secret"):
        st.caption("This link's teacher secret does not match this board: you see the class's view.")
    post_box(current, view)
    st.fragment(run_every=REFRESH_SECONDS)(live_ranking)(current)
    st.fragment(run_every=DRAW_SECONDS)(live_drawings)(current)
    st.caption("The class's link: ")
    st.code(class_url(current.id), language=None, wrap_lines=False)


def class_url(board_id, secret=None):
    query = {board.PARAM: board_id, **({board.SECRET_PARAM: secret} if secret else {})}
    return f"{links.base_url()}?{urlencode(query)}"


def made_links(current):
    """Right after a teacher opened the board: both links, the teacher's with the word that it is the only
    way back to their buttons. The server keeps only a hash of the secret, so this is the one showing."""
    made = st.session_state.get("board_made")
    if not made or made[0] != current.id:
        return
    with st.container(border=True, key="board_links"):
        st.success("Your board is open. Two links:", icon=":material/check_circle:")
        st.markdown("**For the class:** send it to your students; it opens this board with its rules.")
        st.code(class_url(current.id), language=None, wrap_lines=False)
        st.markdown("**For you only:** it opens the board with Close, Clear and Download.")
        st.code(class_url(current.id, made[1]), language=None, wrap_lines=False)
        st.warning("Keep the teacher link now (bookmark it or paste it somewhere safe). It is the only way back to "
                   "Close, Clear and Download, and it is shown only this once: the server keeps no copy of its "
                   "secret. Do not send it to the class.", icon=":material/key:")
        st.button("I have kept my teacher link", key="board_links_kept",
                  on_click=lambda: st.session_state.pop("board_made", None))


# ----- the teacher's buttons -----
def _close(board_id, secret):
    state.store()[0].boards.close(board_id, secret)
    return "Closed: no more entries. The ranking stays until the board ends."


def _clear(board_id, secret):
    removed = state.store()[0].boards.clear(board_id, secret)
    return f"Cleared: {removed} entr{'y' if removed == 1 else 'ies'} removed."


TEACHER_ACTIONS = {"close": _close, "clear": _clear}


def _teach(action, board_id):
    s = st.session_state
    try:
        s.board_teacher_note = TEACHER_ACTIONS[action](board_id, s.get("board_secret"))
    except ValueError as error:  # BoardRefused or StoreUnavailable: one plain sentence
        s.board_teacher_note = _sentence(error)
    board.forget_reads(board_id)


def board_csv(board_id, secret):
    """The ranking as CSV (the store's export), made when the teacher clicks Download."""
    try:
        return state.store()[0].boards.export(board_id, secret)
    except ValueError as error:
        return f"error\n{_sentence(error)}\n"


def teacher_box(current):
    with st.container(border=True, key="board_teacher"):
        st.markdown("**Teacher** · only your link shows these; the address bar no longer shows its secret, so you "
                    "can share your screen.")
        row = st.container(horizontal=True, vertical_alignment="center")
        row.button("Close the board", key="board_close", icon=":material/lock:", disabled=current.closed,
                   on_click=_teach, args=("close", current.id),
                   help="No more entries; the ranking stays until the board ends.")
        with row.popover("Clear the entries", icon=":material/delete:"):
            st.markdown("Remove every entry from the ranking? This cannot be undone.")
            st.button("Remove every entry", key="board_clear", type="primary", on_click=_teach,
                      args=("clear", current.id))
        row.download_button("Download the ranking (CSV)", partial(board_csv, current.id,
                                                                  st.session_state.get("board_secret")),
                            file_name="board.csv", mime="text/csv", key="board_download",
                            icon=":material/download:", on_click="ignore")
        if st.session_state.get("board_teacher_note"):
            st.caption(plain(st.session_state.pop("board_teacher_note")))


# ----- posting -----
def post_box(current, view):
    with st.container(border=True, key="board_post_box"):
        st.markdown("**Post a configuration**")
        if current.closed:
            st.info("The teacher has closed this board: no more entries.")
            return
        choices = _choices(current, view)
        if isinstance(choices, str):  # why there is nothing to post yet
            st.caption(choices)
            return
        info = DATASETS[current.rules.dataset]
        row = st.container(horizontal=True, vertical_alignment="bottom")  # wraps in a narrow window
        row.selectbox("Configuration", list(choices), key="board_config", width=520,
                         format_func=lambda key: f"{configuration_label(choices[key][0], info)} — "
                                                 f"{100 * choices[key][1]:.1f}% · {choices[key][2]} parameters",
                         help="The configurations of your results that follow the board's rules, best first, with "
                              "their mean test accuracy over the board's seeds.")
        row.text_input("Nickname", key="board_nickname", placeholder="how the board shows you",
                       help=f"1 to {MAX_TEXT} characters, shown to the class as you type it.", width=260)
        row.button("Post", key="board_post", type="primary", icon=":material/send:", on_click=_post,
                   args=(current.id, choices))
        if st.session_state.get("board_post_error"):
            st.error(plain(st.session_state.pop("board_post_error")), icon=":material/error:")
        if st.session_state.get("board_posted"):
            st.success(plain(st.session_state.pop("board_posted")), icon=":material/check:")


def _choices(current, view):
    """{key: (configuration, accuracy, parameters)} the visitor may post, best first, or why there is none."""
    s = st.session_state
    if s.get("job") is not None:
        return "Training… post a configuration when it has finished."
    if view.results is None:
        return ("Nothing trained yet: choose networks and training in the sidebar (the board fixes the data, the "
                "epochs and the seeds) and press Run. The configurations that follow the rules then appear here.")
    if s.get("results_key") is None:
        return ("These results cannot be posted: only a whole comparison the server trained on built-in data is "
                "scored (not one stopped part-way or opened from files). Press Run in the sidebar.")
    memo = state.session_cache("board_postable")
    token = (current.id, view.results.token)
    if token not in memo:
        memo.clear()  # one entry: the visitor's current results
        memo[token] = {str(index): found for index, found in enumerate(postable(current.rules, view.results.runs))}
    if not memo[token]:
        return (f"None of your results follows this board's rules ({plain(board.rules_text(current.rules))}). Press "
                "Run with the sidebar as the board sets it.")
    return memo[token]


def _post(board_id, choices):
    s = st.session_state
    configuration = choices.get(s.get("board_config"), (None,))[0]
    store, key = state.store()[0], s.get("results_key")
    try:
        if not store.contains(key):  # the pool writes finished comparisons in a thread of its own
            state.pool().stored.flush(timeout=STORE_WAIT)
        entry = store.boards.post(board_id, s.get("board_nickname") or "", state.session_token(), key, configuration)
    except ValueError as error:  # BoardRefused or StoreUnavailable: one plain sentence, under the field
        s.board_post_error = _sentence(error)
        return
    board.forget_reads(board_id)
    s.board_mine = {*s.get("board_mine", ()), entry_id(entry)}
    s.board_pick = entry_id(entry)
    s.board_posted = f"Posted as {entry_name(entry)}: {100 * entry.test_acc:.1f}% with {entry.n_params} parameters."


# ----- the ranking and the leader beside another entry, each redrawn by itself -----
def live_ranking(current):
    try:
        again, entries = board.read_board(current.id), board.read_ranking(current.id)
    except ValueError as error:
        st.error(plain(f"The results store failed: {error}"))
        return
    if again is None or again.closed != current.closed:
        st.rerun()  # ended or closed meanwhile: the whole page says so
    st.subheader("Ranking", anchor=False)
    st.caption(f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'} · by mean test accuracy over the board's "
               f"seeds, then fewer parameters, then the earlier post · updated by itself every {REFRESH_SECONDS:g} s")
    if not entries:
        st.info("No entries yet. The first one posted appears here at once, for the whole class.")
        return
    mine = st.session_state.get("board_mine", set())
    table = ranking_table(entries, DATASETS[current.rules.dataset], time.time(), mine)
    st.dataframe(table, hide_index=True, width="stretch", key="board_ranking",
                 height=min(RANKING_HEIGHT, 38 + 35 * len(table)),
                 column_config={"you": st.column_config.TextColumn("", width=40, pinned=True),
                                "rank": st.column_config.NumberColumn("#", width=40, pinned=True),
                                "nickname": st.column_config.TextColumn("nickname", pinned=True),
                                "test %": st.column_config.NumberColumn("test %", format="%.1f",
                                                                        help="mean over the board's seeds"),
                                "lr": st.column_config.NumberColumn("lr", format="%g"),
                                "L2": st.column_config.NumberColumn("L2", format="%g"),
                                "network": st.column_config.TextColumn("network", help="as it runs on this data")})


def live_drawings(current):
    """The leader beside another entry: their curves in one chart and their boundary panels side by side."""
    try:
        entries = board.read_ranking(current.id)
    except ValueError:  # the ranking above says so
        return
    if entries:
        beside_the_leader(current, entries, st.session_state.get("board_mine", set()))


def beside_the_leader(current, entries, mine):
    s, info = st.session_state, DATASETS[current.rules.dataset]
    by_id = {entry_id(entry): entry for entry in entries[1:]}
    shown = [entries[0]]
    if by_id:
        if s.get("board_pick") not in by_id:
            s.board_pick = next((key for key in by_id if key in mine), next(iter(by_id)))
        pick = st.columns([2, 3])[0].selectbox("Beside the leader", list(by_id), key="board_pick",
                                               format_func=lambda key: f"{entry_name(by_id[key])} — "
                                               f"{100 * by_id[key].test_acc:.1f}%{' (you)' if key in mine else ''}")
        shown.append(by_id[pick])
    drawn = board.payloads(current, shown)
    if drawn is None:
        st.info("The results of these entries are no longer kept.")
        return
    curves, panels = drawn
    cols = st.container(key="side_by_side_board").columns([1, 1], gap="medium")
    with cols[0]:
        canvas(curves, key="board_curves")
    with cols[1]:
        canvas(panels, key="board_panels")
    st.caption("  \n".join(f"**{plain(entry_name(entry))}**: {plain(configuration_label(entry.configuration, info))}"
                           f" · {100 * entry.test_acc:.1f}% · {entry.n_params} parameters" for entry in shown)
               + "  \nCurves: the mean over the board's seeds (band: ± std); panels: each entry's first seed. "
               f"Updated by itself every {DRAW_SECONDS:g} s.")


# ----- opening a board -----
def create_form(view):
    s, caps = st.session_state, view.limits
    sidebar_first = next((name for name in view.settings.datasets if name in DATASETS), "moons")
    s.setdefault("board_new.dataset", sidebar_first)
    for key, value in (("epochs", min(100, caps.max_epochs)), ("seeds", 3), ("max_params", 1000),
                       ("max_entries", DEFAULT_ENTRIES), ("hours", "3 days")):
        s.setdefault(f"board_new.{key}", value)
    with st.container(border=True, key="board_new"):
        st.markdown("**Open a board for your class**")
        top = st.columns([1, 1])
        top[0].text_input("Title", key="board_new.title", placeholder="Week 3: moons",
                          help=f"1 to {MAX_TEXT} characters, shown to the class.")
        name = top[1].selectbox("Dataset", list(DATASETS), key="board_new.dataset",
                                format_func=lambda n: f"{n} · {DATASETS[n].description}")
        dataset_options(name, view)
        rules = st.columns(5)
        rules[0].number_input("Epochs", 1, caps.max_epochs, step=10, key="board_new.epochs")
        rules[1].number_input("Seeds", 1, MAX_SEEDS, step=1, key="board_new.seeds",
                              help="Every entry trains on seeds 0, 1, …; its score is the mean test accuracy.")
        rules[2].number_input("Most parameters", 1, 10**7, step=100, key="board_new.max_params",
                              help="The largest network a student may post, counted as it runs on this data.")
        rules[3].number_input("Most entries", 1, MAX_ENTRIES, step=10, key="board_new.max_entries")
        rules[4].selectbox("Open for", list(HOURS), key="board_new.hours",
                           help="Then the board and its entries are removed.")
        st.button("Open the board", key="board_create", type="primary", icon=":material/leaderboard:",
                  on_click=_create)
        if s.get("board_new_error"):
            st.error(plain(s.pop("board_new_error")), icon=":material/error:")


def dataset_options(name, view):
    """The chosen dataset's options (those it has), with the sidebar's widgets' ranges (experiments.fields)."""
    info, s = DATASETS[name], st.session_state
    rows = [row for row in data_options() if getattr(info, row.name) is not None]
    if not rows:
        st.caption(f"{name}: fixed data, no options.")
        return
    caps = {"max_samples": view.catalog.max_samples_of(name)}
    for col, row in zip(st.columns(len(rows) + 1), rows):
        low, high = app_range(row, caps, info)
        s.setdefault(f"board_new.{row.name}.{name}", getattr(info, row.name))
        col.number_input(row.widget.title, low, high, step=row.widget.step, format=row.widget.format,
                         key=f"board_new.{row.name}.{name}")


def _create():
    s = st.session_state
    name = s["board_new.dataset"]
    options = {row.name: s[f"board_new.{row.name}.{name}"] for row in data_options()
               if f"board_new.{row.name}.{name}" in s and getattr(DATASETS[name], row.name) is not None}
    if s.get("boards_made", 0) >= MAX_BOARDS_PER_SESSION:
        s.board_new_error = f"You have opened {MAX_BOARDS_PER_SESSION} boards in this session, the most one may."
        return
    try:
        made, secret = state.store()[0].boards.create(
            s.get("board_new.title") or "", name, options, epochs=int(s["board_new.epochs"]),
            seeds=tuple(range(int(s["board_new.seeds"]))), max_params=int(s["board_new.max_params"]),
            hours=HOURS[s["board_new.hours"]], max_entries=int(s["board_new.max_entries"]), limits=state.limits())
    except ValueError as error:  # BoardRefused (rules over the caps, a bad title) or StoreUnavailable
        s.board_new_error = _sentence(error)
        return
    board.join(made.id, secret)
    s.update(board_made=(made.id, secret), boards_made=s.get("boards_made", 0) + 1)


def _sentence(error):
    text = str(error)
    return text[:1].upper() + text[1:]


def _duration(seconds):
    """Time left, to the nearest unit ("40 min", "2 h", "1 day", "3 days"): a board opened for 3 days says
    3 days, not the 2 days and 23 hours a floor would give."""
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{max(1, minutes)} min"
    hours = round(seconds / 3600)
    if hours < 24:
        return f"{hours} h"
    days = round(seconds / 86400)
    return f"{days} day{'s' if days != 1 else ''}"


if __name__ == "__main__":
    show(st.session_state.view)
