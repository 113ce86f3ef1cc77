"""The class board in a real browser: a teacher's page and a student's page both see an entry arrive on the
board by themselves, without reloading (the ranking is a fragment that reruns every few seconds), its nickname
shown as text (an address in it is no link). Waits for what it looks for, never a fixed time."""
import re

import pytest

from benchmarks.harness import Server
from experiments.runner import run_grid
from experiments.store import ResultStore, store_key
from ui.state import SNAPSHOTS

pytestmark = pytest.mark.slow

CONFIGURATION = {"architecture": "[25, 8, 2]", "activation": "tanh", "lr": 0.5}


@pytest.fixture(scope="module")
def board_server():
    """A server with a data folder of its own, and the store in it (the test posts there as another server
    sharing the database would)."""
    with Server() as running:
        store = ResultStore(f"sqlite:///{running.data_dir}/results.sqlite")
        yield running, store
        store.close()


def test_the_teacher_and_a_student_see_an_entry_arrive_without_reloading(board_server, page, wait_until):
    """A teacher opens their link and a student the class's; both see "No entries yet". Someone posts an
    entry: within seconds both pages show it ranked first with the leader's curves and boundary drawn, and
    neither page was reloaded."""
    server, store = board_server
    board, secret = store.boards.create("Live board", "moons", {"n_samples": 200}, epochs=20, seeds=(0, 1),
                                        max_params=300)
    teacher, student = page, page.context.browser.new_page(viewport={"width": 1440, "height": 1800})
    student.errors = []
    student.on("pageerror", lambda error: student.errors.append(str(error)))
    teacher.goto(f"{server.url}/?board={board.id}&secret={secret}")
    student.goto(f"{server.url}/?board={board.id}")
    for shown in (teacher, student):
        shown.get_by_text("No entries yet").wait_for(timeout=60_000)
        shown.evaluate("() => { window.notReloaded = true; }")
    teacher.get_by_role("button", name="Close the board").wait_for()
    assert not student.get_by_role("button", name="Close the board").count()
    specs = board.rules.specs(CONFIGURATION)
    key = store_key(specs, SNAPSHOTS)
    store.put(key, run_grid(specs, snapshots=SNAPSHOTS))
    store.boards.post(board.id, "ada <i> https://evil.example/x", "another visitor", key, CONFIGURATION)
    for shown in (teacher, student):
        shown.get_by_text("1 entry ·").wait_for(timeout=30_000)
        shown.get_by_text(re.compile("1\\. ada <i> h\u2060?ttps://evil\\.example/x: \\[2, 8, 2\\] · tanh")).wait_for(
            timeout=30_000)
        wait_until(lambda shown=shown: shown.evaluate("""() => {
            const host = document.querySelector('.st-key-board_panels [data-testid=stBidiComponentIsolated]');
            const root = host && host.shadowRoot && host.shadowRoot.querySelector('.nnlab');
            return root && root.querySelectorAll('canvas').length > 0;
        }"""), message="the leader's boundary panel")
        assert shown.evaluate("() => window.notReloaded === true")  # the same page, updated by itself
        assert shown.locator("a[href*='evil']").count() == 0  # the nickname's address is text, not a link
        assert not shown.errors
