"""The class board in the app (issue 25; docs/board.md), driven as a teacher and students would with AppTest:
opening a board and its two links, the rules in a student's sidebar, training and posting, the ranking,
the teacher's buttons, and what a wrong secret, an ended board or a missing store show."""
import os
from urllib.parse import parse_qs, urlsplit

import pytest
from test_app import canvases, open_app, raw_texts, run, sidebar_errors_after, texts

import ui.board
import ui.state

pytestmark = pytest.mark.slow  # drives the whole app with AppTest

RULES = dict(options={"n_samples": 200}, epochs=20, seeds=(0, 1), max_params=300)


def make_board(title="Week 3: moons", **rules):
    """A board on the app's own store, as a teacher's form would open it: (Board, secret)."""
    return ui.state.store()[0].boards.create(title, "moons", **{**RULES, **rules})


def link_query(at, secret=False):
    """The query of the board link the page shows: the class's, or the teacher's (with its secret)."""
    link = next(code.value for code in at.code if "board=" in code.value and ("secret=" in code.value) == secret)
    return {key: values[0] for key, values in parse_qs(urlsplit(link).query).items()}


def on_board(at):
    """The board page is showing (its ranking), with no exception."""
    assert not at.exception, [e.value for e in at.exception]
    return any("by mean test accuracy" in text for text in texts(at, "caption"))


def open_board(query):
    """Open a board link: the app opens the board page at once (st.switch_page); AppTest is then kept on that
    page, as a browser is (under Streamlit 1.63 it would go back to the first page at the next run)."""
    at = open_app(query)
    assert on_board(at) or any("ended or does not exist" in text for text in texts(at, "warning"))
    return at.switch_page("ui/pages/board.py").run()


def trained(at):
    """Press Run, wait for the comparison, and look at the board page again (a real page stays there; AppTest
    under Streamlit 1.63 goes back to the app's first page after st.switch_page)."""
    run(at)
    at.switch_page("ui/pages/board.py").run()
    assert on_board(at)
    return at


def posted(at, nickname, configuration=None):
    at.text_input(key="board_nickname").set_value(nickname)
    if configuration is not None:
        at.selectbox(key="board_config").set_value(configuration)
    return at.button(key="board_post").click().run()


def test_a_teacher_opens_a_board_and_gets_the_class_link_and_their_own():
    """A teacher opens the Class board page, fills in a title, picks moons, 20 epochs and 2 seeds, and presses
    Open the board: the page shows the board, the class's link and the teacher's link (with its secret) and
    says that it is the only way back to Close, Clear and Download; their sidebar now follows the rules."""
    at = open_app()
    at.switch_page("ui/pages/board.py").run()
    at.text_input(key="board_new.title").set_value("Week 3: moons")
    at.selectbox(key="board_new.dataset").set_value("moons")
    at.number_input(key="board_new.epochs").set_value(20)
    at.number_input(key="board_new.seeds").set_value(2)
    at.button(key="board_create").click().run()
    assert on_board(at) and not at.error
    assert "Week 3: moons" in texts(at, "header")
    assert any(text.endswith("ends in 3 days") for text in texts(at, "caption"))  # opened for 3 days, not 2
    student, teacher = link_query(at), link_query(at, secret=True)
    assert student["board"] == teacher["board"] == at.session_state["board_id"] and "secret" not in student
    board = ui.state.store()[0].boards.get(student["board"])
    assert board.rules.epochs == 20 and board.rules.seeds == (0, 1)
    assert ui.state.store()[0].boards.is_teacher(board.id, teacher["secret"])
    assert any("the only way back to Close, Clear and Download" in text for text in texts(at, "warning"))
    assert at.button(key="board_close") and at.sidebar.text_input(key="epochs").disabled
    at.button(key="board_links_kept").click().run()
    assert not any("secret=" in code.value for code in at.code)  # shown once: gone when they say they kept it
    assert at.query_params.get("secret") is None  # never in the address bar


def test_a_student_trains_under_the_rules_posts_and_sees_their_nickname_ranked():
    """A student opens the class link: the board page at once, the rules in the sidebar (the dataset, the
    epochs and the seeds fixed and disabled, saying why), presses Run, picks a configuration, types the
    nickname `__bold__ <b>x</b>` and posts: the ranking lists it as typed (text, never Markdown or HTML), and
    the leader's curves and boundary are drawn. Posting the same configuration again is refused under it."""
    board, _ = make_board()
    at = open_board({"board": board.id})
    assert on_board(at) and any("No entries yet" in text for text in texts(at, "info"))
    sidebar = at.sidebar
    assert sidebar.multiselect(key="datasets").value == ["moons"] and sidebar.multiselect(key="datasets").disabled
    epochs = sidebar.text_input(key="epochs")
    assert epochs.value == "20" and epochs.disabled and "Fixed by the class board" in epochs.help
    assert "every entry trains for 20 epochs" in epochs.help
    assert sidebar.number_input(key="n_seeds").value == 2 and sidebar.number_input(key="n_seeds").disabled
    samples = sidebar.number_input(key="n_samples.moons")
    assert samples.value == 200 and samples.disabled
    assert not sidebar.multiselect(key="architectures").disabled  # the student's choice
    trained(at)
    choices = at.selectbox(key="board_config").options
    assert len(choices) == 3 and "[2, 8, 2] · relu · sgd · lr 0.1 · batch 16 · L2 0" in " ".join(choices)
    hostile = "__bold__ <b>x</b>"
    posted(at, "a nickname pasted from somewhere else that runs on for far more than forty characters")
    assert sidebar_errors_after(at, "board_post", area="main") == [
        "The nickname is 85 characters long; write at most 40."]  # said, and the text kept to shorten
    assert at.text_input(key="board_nickname").value.startswith("a nickname pasted")
    posted(at, hostile)
    assert not at.error, texts(at, "error")
    ranking = at.dataframe[0].value
    assert list(ranking["nickname"]) == [hostile] and list(ranking["you"]) == ["you"]
    stored = ui.state.store()[0].boards.ranking(board.id)[0]
    assert ranking["test %"][0] == pytest.approx(100 * stored.test_acc, abs=0.05)
    shown = " ".join(raw_texts(at, "caption") + raw_texts(at, "success"))
    assert r"\_\_bold\_\_ \<b\>x\<\/b\>" in shown and "__bold__" not in shown  # escaped wherever it is written
    drawn = canvases(at)
    assert [s["label"] for s in drawn["board_curves"]["series"]] == [f"1. {hostile}"]
    assert len(drawn["board_panels"]["sections"][0]["panels"]) == 1
    first = at.selectbox(key="board_config").value
    posted(at, "again", first)
    assert sidebar_errors_after(at, "board_post", area="main") == [
        "You have already posted this configuration; change something and post again."]
    assert len(ui.state.store()[0].boards.ranking(board.id)) == 1


def test_a_second_entry_is_drawn_beside_the_leader():
    """Two students post two configurations: the ranking has both, best first, and the page draws the leader's
    curves and boundary beside the other entry's, each named by rank and nickname."""
    board, _ = make_board()
    at = trained(open_board({"board": board.id}))
    options = at.selectbox(key="board_config").options
    posted(at, "ada", options[0])
    other = trained(open_board({"board": board.id}))
    posted(other, "grace", options[-1])
    ui.board.forget_reads(board.id)
    at.run()
    assert list(at.dataframe[0].value["nickname"]) == ["ada", "grace"]
    assert at.selectbox(key="board_pick").value is not None
    drawn = canvases(at)
    assert [s["label"] for s in drawn["board_curves"]["series"]] == ["1. ada", "2. grace"]
    assert [p["title"][0] for p in drawn["board_panels"]["sections"][0]["panels"]] == ["1. ada", "2. grace"]


def test_an_architecture_over_the_parameter_cap_is_refused_under_its_field():
    """A student on a board of at most 300 parameters types [25, 64, 64, 2] (4482 parameters on moons): the
    message under the field gives the count and the cap, and Run waits for a fix."""
    board, _ = make_board()
    at = open_board({"board": board.id})
    at.text_input(key="custom_arch").input("[25, 64, 64, 2]").run()
    assert sidebar_errors_after(at, "custom_arch") == [
        "[25, 64, 64, 2] has 4482 parameters on moons; this board allows at most 300."]
    assert at.button(key="run").disabled
    at.multiselect(key="architectures").set_value(["[25, 8, 2]", "[25, 64, 2]"])
    at.text_input(key="custom_arch").input("").run()
    assert sidebar_errors_after(at, "architectures") == [
        "[25, 64, 2] has 322 parameters on moons; this board allows at most 300."]
    assert at.button(key="run").disabled and not sidebar_errors_after(at, "custom_arch")


def test_the_teacher_link_closes_clears_and_downloads():
    """A teacher opens their link after a student posted: Close stops new posts (the student's Post is refused
    with the store's word), Clear removes the entries, and Download gives the ranking as CSV."""
    board, secret = make_board()
    student = trained(open_board({"board": board.id}))
    posted(student, "ada")
    teacher = open_board({"board": board.id, "secret": secret})
    from ui.pages.board import board_csv  # imported by the app first: its canvas component registers there
    assert on_board(teacher) and teacher.query_params.get("secret") is None
    assert "ada" in board_csv(board.id, secret)
    assert teacher.get("download_button")
    teacher.button(key="board_close").click().run()
    assert any("Closed: no more entries" in text for text in texts(teacher, "caption"))
    assert ui.state.store()[0].boards.get(board.id).closed and teacher.button(key="board_close").disabled
    ui.board.forget_reads(board.id)
    student.run()
    assert any("closed this board" in text for text in texts(student, "info"))
    teacher.button(key="board_clear").click().run()
    assert any("Cleared: 1 entry removed" in text for text in texts(teacher, "caption"))
    assert ui.state.store()[0].boards.ranking(board.id) == []


def test_a_wrong_or_missing_secret_shows_the_students_view():
    """Someone opens a board link with a made-up secret: the student's view (no teacher buttons), saying the
    secret does not match, and no error."""
    board, secret = make_board()
    for bad in (secret[:-1] + "A", "' OR 1=1 --", "x" * 5000):
        at = open_board({"board": board.id, "secret": bad})
        assert on_board(at) and not at.error
        assert "board_close" not in {button.key for button in at.button} and not at.get("download_button")
        assert any("does not match" in text for text in texts(at, "caption"))


def test_an_unknown_or_ended_board_says_so_and_the_app_works_as_usual():
    """A visitor opens a link to a board that never was (or has ended): the page says so plainly, the sidebar
    has no rules, and Run trains as usual."""
    for board_id in ("no-such-board", "'; DROP TABLE boards; --", "x" * 1000):
        at = open_app({"board": board_id})
        assert not at.exception and "This board has ended or does not exist." in texts(at, "warning")
        assert not at.sidebar.text_input(key="epochs").disabled and "board" not in at.query_params
    run(at)
    assert at.session_state["results"] is not None


def test_without_a_results_store_the_board_page_says_why(tmp_path, monkeypatch):
    """The server's store cannot be opened (its data folder is a file): a board link shows the page saying
    that boards need the results store and why, with no traceback; the app still trains."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("NN_LAB_STORE_URL", f"sqlite:///{os.path.join(blocker, 'results.sqlite')}")
    ui.state.store.clear()
    try:
        at = open_app({"board": "any"})
        assert not at.exception
        said = " ".join(texts(at, "warning"))
        assert "Class boards need the results store" in said and "not-a-folder" in said and "memory only" in said
        assert not at.sidebar.text_input(key="epochs").disabled
    finally:
        monkeypatch.delenv("NN_LAB_STORE_URL")
        ui.state.store.clear()
