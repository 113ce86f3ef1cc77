"""The class board a session is on (docs/board.md): opened by a ``?board=<id>`` link (the teacher's adds
``&secret=``), its rules as the sidebar applies them, and the store reads the board page makes.

The sidebar asks ``sidebar_rules()`` once per run and consults the object it gets, and nothing else:
``enforce()`` puts the board's values in the widgets it fixes (before they are drawn), ``widget(key, help)``
gives each widget its ``disabled`` and ``help`` (a fixed one says why), ``refused(architectures)`` names
those over the board's parameter cap, and ``box(container)`` says which board this is. Without a board,
``NO_RULES`` changes nothing.

A class is 30 browsers polling one server: a board and its ranking are read from the store at most once
every READ_SECONDS per board and server (``st.cache_data`` with a ttl, shared by all sessions), and an
entry's results once per server while they are drawn (``st.cache_resource``, bounded).
"""
import json
from dataclasses import dataclass

import streamlit as st

from experiments.figures import board_payloads, entry_name
from experiments.store import BoardRefused
from experiments.store.boards import entry_runs

from . import state
from .text import plain

PARAM, SECRET_PARAM = "board", "secret"  # ?board=<id>: the class's link; &secret=<secret>: the teacher's
URL_PATH = "board"  # the Class board page (ui/pages/__init__.py)
READ_SECONDS = 2.0  # a board and its ranking are read from the store at most this often per board
BOARD_CACHE_ENTRIES = 64  # boards (and rankings) kept read, server-wide
ENTRY_CACHE_ENTRIES = 24  # entries' results kept for drawing, server-wide (one configuration's runs each)
ENDED = "This board has ended or does not exist."
STATE_KEYS = ("board_id", "board_secret", "board_teacher")


# ----- the session's board -----
def open_link():
    """Once per session: the board of the link the visitor opened (and the teacher's secret, which then
    leaves the address bar), and the board page first. Values are checked by the store, never here."""
    s = st.session_state
    if s.get("board_link_read"):
        return
    s.board_link_read = True
    board_id = st.query_params.get(PARAM)
    if board_id is None:
        return
    s.board_id, s.goto = board_id[:100], URL_PATH
    secret = st.query_params.get(SECRET_PARAM)
    if secret:
        s.board_secret = secret[:200]


def join(board_id, secret=None):
    """Put this session on board ``board_id`` (the teacher's own, with its ``secret``, after creating it)."""
    leave()
    st.session_state.update(board_id=board_id, **({"board_secret": secret} if secret else {}))


def leave():
    """Leave the board: its rules go from the sidebar, its id from the address bar."""
    for key in STATE_KEYS:
        st.session_state.pop(key, None)


def query():
    """The address bar's part for the board this session is on: {"board": id}, or nothing."""
    board_id = st.session_state.get("board_id")
    return {PARAM: board_id} if board_id else {}


def current():
    """The Board this session is on, or None. A board that has ended (or never was) is left, and the board
    page says so once; a store that fails leaves the session on it, to try again."""
    board_id = st.session_state.get("board_id")
    if board_id is None or state.store()[0] is None:
        return None
    try:
        board = read_board(board_id)
    except ValueError as error:  # StoreUnavailable: the database went away after start-up
        st.session_state.board_error = str(error)
        return None
    if board is None:
        leave()
        st.session_state.board_notice = ENDED
    return board


def is_teacher(board):
    """True if this session holds the teacher's secret of ``board`` (checked by the store once per session
    and secret; each action checks it again)."""
    s = st.session_state
    secret = s.get("board_secret")
    if not secret:
        return False
    if s.get("board_teacher", (None,))[0] != (board.id, secret):
        try:
            s.board_teacher = ((board.id, secret), state.store()[0].boards.is_teacher(board.id, secret))
        except ValueError:
            return False
    return s.board_teacher[1]


def forget_reads(board_id):
    """After this session changed the board: its next read comes from the store, not the cache."""
    read_board.clear(board_id)
    read_ranking.clear(board_id)


@st.cache_data(ttl=READ_SECONDS, max_entries=BOARD_CACHE_ENTRIES, show_spinner=False)
def read_board(board_id):
    return state.store()[0].boards.get(board_id)


@st.cache_data(ttl=READ_SECONDS, max_entries=BOARD_CACHE_ENTRIES, show_spinner=False)
def read_ranking(board_id):
    """The board's entries, best first (boards.Boards.ranking)."""
    return state.store()[0].boards.ranking(board_id)


# ----- the entries' results, for drawing -----
@st.cache_resource(max_entries=ENTRY_CACHE_ENTRIES, show_spinner=False)
def _entry_results(board_id, comparison_key, configuration_json, _rules):
    results = state.store()[0].get(comparison_key)
    if results is None:
        return None
    runs = entry_runs(_rules, json.loads(configuration_json), results.runs)
    return results.subset(runs["run_id"], token=f"board:{comparison_key}:{configuration_json}")


def entry_results(board, entry):
    """The stored runs of ``entry`` (one configuration on the board's seeds), or None if the store has lost
    them or fails."""
    try:
        return _entry_results(board.id, entry.comparison_key, json.dumps(entry.configuration, sort_keys=True),
                              board.rules)
    except (ValueError, BoardRefused):
        return None


@st.cache_resource(max_entries=ENTRY_CACHE_ENTRIES, show_spinner=False)
def _payloads(names, tokens, dataset, _named):
    return board_payloads(_named, dataset)


def payloads(board, entries):
    """(curves, panels) of ``entries`` drawn together (the leader first), built once per server; None if
    none of them has results the store still keeps."""
    named = [(entry_name(entry), results) for entry in entries
             if (results := entry_results(board, entry)) is not None]
    if not named:
        return None
    return _payloads(tuple(name for name, _ in named), tuple(results.token for _, results in named),
                     board.rules.dataset, named)


# ----- the rules, as the sidebar applies them -----
class NoRules:
    """No board: every widget as the sidebar draws it."""

    def enforce(self):
        pass

    def widget(self, key, help=None):
        return {"help": help}

    def refused(self, architectures):
        return []

    def box(self, container):
        pass


NO_RULES = NoRules()


@dataclass(frozen=True)
class SidebarRules:
    """A board's rules in the sidebar: the widgets of what it fixes (the dataset and its options, the epochs,
    the seeds, adding one's own data) hold its values and are disabled, each saying why."""

    board: object  # experiments.store.boards.Board

    def fixed(self):
        """{widget key: the board's value} of every widget the board fixes."""
        rules = self.board.rules
        values = {"datasets": [rules.dataset], "epochs": str(rules.epochs), "n_seeds": len(rules.seeds)}
        values.update({f"{option}.{rules.dataset}": value for option, value in rules.options.items()})
        return values

    def enforce(self):
        for key, value in self.fixed().items():
            if st.session_state.get(key) != value:
                st.session_state[key] = value

    def widget(self, key, help=None):
        why = self._why(key)
        return {"help": help} if why is None else {"disabled": True, "help": why}

    def _why(self, key):
        rules, title = self.board.rules, plain(self.board.title)
        if key == "own_add":
            return f"The class board {title} uses its own data; leave the board (top of the sidebar) to add yours."
        if key not in self.fixed():
            return None
        what = {"datasets": f"every entry trains on {rules.dataset}",
                "epochs": f"every entry trains for {rules.epochs} epochs",
                "n_seeds": f"every entry trains with seeds {', '.join(map(str, rules.seeds))} and is scored by its "
                           "mean test accuracy over them"}.get(key, "every entry trains on the same data")
        return f"Fixed by the class board {title}: {what}, so that the scores compare."

    def refused(self, architectures):
        """The board's message for each of ``architectures`` over its parameter cap (the count and the cap)."""
        messages = []
        for architecture in architectures:
            try:
                self.board.rules.specs({"architecture": architecture})
            except BoardRefused as error:
                messages.append(str(error)[:1].upper() + str(error)[1:])
        return messages

    def box(self, container):
        rules = self.board.rules
        with container.container(border=True, key="board_rules"):
            st.markdown(f"**Class board:** {plain(self.board.title)}")
            st.caption(plain(rules_text(rules)) + ". You choose the networks and the training: press Run, then "
                       "post on the Class board page.")
            if rules.seeds != tuple(range(len(rules.seeds))) or rules.data_seed != 0:
                st.warning(plain(f"This board's seeds {list(rules.seeds)} (data seed {rules.data_seed}) cannot be "
                                 "trained in the app, which uses seeds 0, 1, 2, ... and data seed 0."))
            st.button("Leave the board", key="board_leave", icon=":material/logout:", on_click=leave,
                      help="Its rules leave the sidebar; the board stays open for the class.")


def rules_text(rules):
    """The rules in one line: "moons · 200 samples · noise 0.2 · test 0.25 · 100 epochs · seeds 0, 1, 2 ·
    at most 1000 parameters"."""
    names = {"n_samples": "{:g} samples", "noise": "noise {:g}", "test_fraction": "test {:g}"}
    options = [names[option].format(value) for option, value in rules.options.items() if option in names]
    return " · ".join([rules.dataset, *options, f"{rules.epochs} epochs",
                       f"seed{'s' if len(rules.seeds) > 1 else ''} {', '.join(map(str, rules.seeds))}",
                       f"at most {rules.max_params} parameters"])


def sidebar_rules():
    """The rules the sidebar applies now: the board's, or NO_RULES."""
    if st.session_state.get("board_id") is None:
        return NO_RULES
    board = current()
    return NO_RULES if board is None else SidebarRules(board)
