"""One real browser: `streamlit run` on a free port, headless Chromium driven by Playwright, Run pressed."""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOT_DIR = os.path.join(ROOT, "screenshots")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port",
                                str(port), "--server.address", "127.0.0.1", "--server.headless", "true"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("streamlit did not start: " + process.stdout.read().decode(errors="replace")[-2000:])
    yield url
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture
def page():
    """A fresh page in headless Debian Chromium; it records page errors in ``page.errors``."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (.ci/run installs Debian's chromium package)")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        new_page = browser.new_page(viewport={"width": 1440, "height": 1800})
        new_page.errors = []
        new_page.on("pageerror", lambda error: new_page.errors.append(str(error)))
        yield new_page
        browser.close()


def test_press_run_in_a_real_browser(server, page):
    """A visitor opens the app in Chromium, presses Run and sees the charts and the table; no error anywhere."""
    page.goto(server)
    run_button = page.get_by_role("button", name="▶ Run the classic comparison")
    run_button.wait_for(timeout=60_000)
    run_button.click()
    page.get_by_text("Decision boundaries").wait_for(timeout=120_000)
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 2", timeout=60_000)
    page.locator("[data-testid=stDataFrame] canvas").first.wait_for(timeout=30_000)
    time.sleep(1.5)  # let the table's canvas and the charts finish drawing
    os.makedirs(SCREENSHOT_DIR, exist_ok=True)
    page.screenshot(path=os.path.join(SCREENSHOT_DIR, "after-run.png"))
    assert page.locator("[data-testid=stException]").count() == 0
    assert page.get_by_text("Its test accuracy").count() == 1
    assert page.locator(".js-plotly-plot").count() >= 2
    assert page.errors == []


def test_click_a_point_to_try_it(server, page):
    """On circles, the visitor opens Try it and clicks on the plot: the point's coordinates are used."""
    page.goto(f"{server}/?dataset=circles&arch=%5B25%2C%208%2C%202%5D&epochs=30")
    page.get_by_role("button", name="▶ Run the classic comparison").click()
    page.get_by_text("Save and share").wait_for(timeout=120_000)
    page.locator("label").filter(has_text="Try it").first.click()
    x1, x2 = page.locator('input[aria-label="x1"]').last, page.locator('input[aria-label="x2"]').last
    x1.wait_for(timeout=30_000)
    assert x1.input_value() == "0.00"
    plot_area = page.locator("[data-testid=stMain] .js-plotly-plot .nsewdrag").first
    plot_area.wait_for(timeout=30_000)
    box = plot_area.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.3)
    page.wait_for_function("[...document.querySelectorAll('input[aria-label=\"x1\"]')].some(i => i.value !== '0.00')",
                           timeout=30_000)
    time.sleep(1)
    assert float(x1.input_value()) > 0.3  # right of centre
    assert float(x2.input_value()) > 0.1  # above centre
    assert page.locator("[data-testid=stException]").count() == 0 and page.errors == []
