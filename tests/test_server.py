"""A real server and visitors without browsers (benchmarks/visitor.py: websockets speaking Streamlit's own
messages, as a page does): what happens to the training pool when tabs close, and when one address asks
for too much."""
import asyncio
import re
import time
import urllib.parse

import pytest

from benchmarks.harness import Server
from benchmarks.visitor import Visitor

pytestmark = pytest.mark.slow


def long_query(lr):
    """A comparison that keeps a worker busy for tens of seconds (one per learning rate: distinct ones)."""
    return urllib.parse.urlencode([("dataset", "circles"), ("circles.n", "1500"), ("arch", "[2, 16, 8, 2]"),
                                   ("epochs", "2000"), ("lr", str(lr))])


@pytest.fixture(scope="module")
def app():
    with Server(args=["--server.enableXsrfProtection", "false"]) as server:
        yield server


def workers_idle(server, window=0.3):
    """True if the training workers used (almost) no CPU over ``window`` seconds: a measurement, not a wait."""
    workers = server.tree()[1:]
    before = sum(sum(p.cpu_times()[:2]) for p in workers)
    time.sleep(window)
    return sum(sum(p.cpu_times()[:2]) for p in workers) - before < 0.05 * window


async def until(condition, timeout=60.0, message="the condition"):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout:g} s for {message}")
        await asyncio.sleep(0.05)


async def run_and_see_it_train(port, query, headers=None):
    """Open the app with ``query``, press Run, and wait until the progress bar appears."""
    visitor = Visitor(port, query, headers)
    await visitor.open()
    await until(lambda: visitor.run_button is not None, message="the Run button")
    await visitor.press_run()
    await until(lambda: visitor.progress is not None or visitor.errors, message="the progress bar")
    return visitor


def test_closing_the_tab_stops_its_training_within_seconds(app, wait_until):
    """Issue 21: a visitor starts a long comparison and closes the tab. The workers stayed busy for minutes;
    now they are idle within 5 s of the websocket closing."""
    async def scene():
        visitor = await run_and_see_it_train(app.port, long_query(0.05))
        await until(lambda: visitor.progress.startswith("Training"), message="the training to start")
        await visitor.close()
        return time.monotonic()

    wait_until(lambda: workers_idle(app), 60, message="the start-up training to end")
    closed = asyncio.run(scene())
    assert not workers_idle(app)  # still learning at the moment the tab closed
    wait_until(lambda: workers_idle(app), 15, message="the workers to stop")
    assert time.monotonic() - closed < 5.0


def test_opening_running_and_closing_tabs_in_a_loop_leaves_nothing_for_the_next_visitor(app, wait_until):
    """Issue 21: one client opened a tab, pressed Run and closed it 40 times in 28 s; every new visitor was
    told 40 comparisons were ahead. Now a new visitor, seconds after the last tab closed, trains at once."""
    async def scene():
        for k in range(10):
            visitor = await run_and_see_it_train(app.port, long_query(0.01 * (k + 1)))
            await visitor.close()
        closed = time.monotonic()
        await asyncio.sleep(0)
        newcomer = await run_and_see_it_train(app.port, long_query(0.9))
        await until(lambda: newcomer.progress.startswith("Training"), timeout=15, message="the newcomer's training")
        said = newcomer.progress
        await newcomer.close()
        return time.monotonic() - closed, said

    seconds, said = asyncio.run(scene())
    assert "ahead of yours" not in said and seconds < 10
    wait_until(lambda: workers_idle(app), 15, message="the workers to stop")


def test_one_address_cannot_fill_the_queue(app, wait_until):
    """Nine tabs from one address (behind one proxy, X-Forwarded-For) each press Run on a long comparison and
    stay open: the ninth is told that its address has too many waiting, under the Run button; a visitor from
    elsewhere is not."""
    async def scene():
        headers = {"X-Forwarded-For": "203.0.113.7"}
        tabs = [await run_and_see_it_train(app.port, long_query(0.1 + 0.01 * k), headers) for k in range(9)]
        other = await run_and_see_it_train(app.port, long_query(0.5), {"X-Forwarded-For": "198.51.100.2"})
        errors, others = list(tabs[-1].errors), list(other.errors)
        for visitor in [*tabs, other]:
            await visitor.close()
        return errors, others

    wait_until(lambda: workers_idle(app), 60, message="earlier trainings to end")
    errors, others = asyncio.run(scene())
    assert any("comparisons from your address are already waiting or training" in error for error in errors), errors
    assert not others
    wait_until(lambda: workers_idle(app), 15, message="the closed tabs' work to stop")


def test_a_store_that_cannot_be_reached_leaves_the_app_working_and_says_so():
    """The operator's database is down (or the URL is wrong): the app starts, trains with its memory cache
    alone, and the sidebar's limits box says so in plain words, naming the store without its password."""
    url = "postgresql+psycopg://lab:secret@127.0.0.1:9/results"  # port 9: nothing listens there
    with Server(args=["--server.enableXsrfProtection", "false"], env={"NN_LAB_STORE_URL": url}) as server:
        async def scene():
            visitor = await run_and_see_it_train(server.port, "dataset=xor4&epochs=20")
            await until(lambda: visitor.charted is not None or visitor.errors, timeout=120, message="the charts")
            await visitor.close()
            return visitor

        visitor = asyncio.run(scene())
        # as the visitor reads it: Markdown escaped, and the invisible word joiners that stop autolinks
        said = re.sub(r"\\(.)", r"\1", " ".join(visitor.alerts)).replace("\u2060", "")
        assert "memory only" in said and "lab:***@127.0.0.1:9" in said and "secret" not in said
        assert visitor.charted is not None and not visitor.errors and not server.tracebacks()
