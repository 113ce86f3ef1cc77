"""Fixtures the tests share: waiting for a condition, a real Streamlit server, a headless Chromium page.

Fast lane: ``python -m pytest -m "not slow"`` leaves out what starts servers, browsers or subprocesses,
drives the whole app or trains for more than about a second (marked ``slow``).
"""
import os
import sys
import tempfile

import pytest

# The app's results store, for the tests: a SQLite file of this run's own (never a developer's database, and
# nothing kept from an earlier run, which would make comparisons "ready at once" that a test expects to train)
os.environ.pop("NN_LAB_STORE_URL", None)
os.environ["NN_LAB_DATA_DIR"] = tempfile.mkdtemp(prefix="nn-lab-tests-")

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks.harness import CHROMIUM, Server, launch_chromium  # noqa: E402
from benchmarks.harness import wait_until as _wait_until  # noqa: E402


@pytest.fixture
def wait_until():
    """``wait_until(condition, timeout=30, interval=0.05, message=...)``: the condition's value, once true."""
    return _wait_until


@pytest.fixture(scope="module")
def server():
    """``streamlit run streamlit_app.py`` on a free port for one test module; its address."""
    with Server() as running:
        yield running.url


@pytest.fixture
def page():
    """A fresh page in headless Debian Chromium; it records page errors in ``page.errors``."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (.ci/run installs Debian's chromium package)")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = launch_chromium(p)
        new_page = browser.new_page(viewport={"width": 1440, "height": 1800})
        new_page.errors = []
        new_page.on("pageerror", lambda error: new_page.errors.append(str(error)))
        yield new_page
        browser.close()


@pytest.fixture
def fresh_server():
    """The app's server-wide state made anew for this test (as a server that just started): its training
    pool (the old one's workers ended), and the registries of who watches and who polls. Tests that count
    visitors or wait for the queue use it rather than clearing shared state by hand."""
    import ui.state
    resources = (ui.state.pool, ui.state.watchers, ui.state.pollers)

    def renew():
        ui.state.pool().shutdown()
        for resource in resources:
            resource.clear()

    renew()
    yield ui.state
    renew()
