"""One real browser: `streamlit run` on a free port, headless Chromium driven by Playwright, Run pressed
(the ``server`` and ``page`` fixtures are in conftest.py)."""
import os
import re
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCREENSHOT_DIR = os.path.join(ROOT, "screenshots")
pytestmark = pytest.mark.slow


PAGES = ["Compare", "Lessons", "Gradient flow", "Boundary over time", "Inside the network", "Images", "Try it",
         "Learning-rate finder", "Hyperparameters"]


def screenshot(page, name):
    """The page as a visitor sees it at 1440x900, on a small laptop (1024x768) and at 800 px wide."""
    os.makedirs(SCREENSHOT_DIR, exist_ok=True)
    for width, height in ((1440, 900), (1024, 768), (800, 900)):
        page.set_viewport_size({"width": width, "height": height})
        time.sleep(1.0)
        page.screenshot(path=os.path.join(SCREENSHOT_DIR, f"{name}-{width}.png"))
    page.set_viewport_size({"width": 1440, "height": 900})
    time.sleep(1.0)  # the top navigation lays itself out again for the wide window


def open_page(page, title):
    """Click a page in the top navigation (the last ones sit under "N more"); True if it sat there."""
    link = page.get_by_role("link", name=title)
    more = not (link.count() and link.first.is_visible())
    if more:
        page.get_by_text(re.compile(r"^\d+ more$")).first.click()
        page.get_by_role("menuitem", name=title).first.click()
    else:
        link.first.click()
    page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=60_000)
    time.sleep(1.5)
    return more


def marked(locator):
    """True if the navigation marks this element as the current page (a background behind it), the pointer
    and the focus elsewhere (a hovered or focused button has a background of its own)."""
    locator.page.mouse.move(700, 600)
    locator.page.evaluate("() => document.activeElement && document.activeElement.blur()")
    return locator.evaluate("element => getComputedStyle(element).backgroundColor") not in ("rgba(0, 0, 0, 0)",
                                                                                           "transparent")


def charts_layout(page):
    """"side by side", "stacked" (the boundaries under the curves, both nearly the main area's width) or
    "other", from where the curves chart and the boundary chart are drawn."""
    return page.evaluate("""() => {
        const plots = [...document.querySelectorAll('[data-testid=stMain] .js-plotly-plot')];
        const curves = plots.find(p => p.layout.xaxis && p.layout.xaxis.title && p.layout.xaxis.title.text === 'epoch');
        const panels = plots.find(p => p.data.some(t => t.type === 'heatmap'));
        const main = document.querySelector('[data-testid=stMainBlockContainer]').getBoundingClientRect();
        const [c, b] = [curves.getBoundingClientRect(), panels.getBoundingClientRect()];
        if (b.left >= c.right && Math.abs(b.top - c.top) < 200) return 'side by side';
        const wide = r => r.width > 0.8 * (main.width - 64);
        if (b.top >= c.bottom && wide(c) && wide(b)) return 'stacked';
        return 'other';
    }""")


def test_run_a_lesson_and_visit_every_page(server, page):
    """A visitor opens the app, presses the first lesson, sees charts and table together, then visits every
    page: no exception and no browser error anywhere."""
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(server)
    page.get_by_role("button", name="Show me").first.wait_for(timeout=60_000)
    screenshot(page, "welcome")
    page.get_by_role("button", name="Show me").first.click()
    page.get_by_text("Accuracy", exact=True).wait_for(timeout=120_000)
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 2", timeout=60_000)
    page.locator("[data-testid=stDataFrame] canvas").first.wait_for(timeout=30_000)
    time.sleep(1.5)  # let the table's canvas and the charts finish drawing
    screenshot(page, "compare")
    assert page.get_by_text("Best: 100.0%").count() == 1
    # curves beside boundaries in a wide window; in a narrow one, one under the other, each as wide as the page
    assert charts_layout(page) == "side by side"
    page.set_viewport_size({"width": 800, "height": 900})
    time.sleep(1.0)
    assert charts_layout(page) == "stacked"
    page.set_viewport_size({"width": 1440, "height": 900})
    time.sleep(1.0)
    # linked views: ticking the best row frames its boundary panel and fades the other curves
    grid = page.locator("[data-testid=stDataFrame]").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 14, box["y"] + 35 + 17)
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid=stMain] .js-plotly-plot')]
        .some(plot => (plot.layout.shapes || []).some(shape => shape.type === 'rect'))""", timeout=30_000)
    faded = page.evaluate("""() => [...document.querySelectorAll('[data-testid=stMain] .js-plotly-plot')]
        .flatMap(plot => plot.data).filter(trace => trace.opacity === 0.2).length""")
    assert faded > 0
    screenshot(page, "compare-linked")
    under_more = []
    for title in PAGES[1:]:
        if open_page(page, title):  # the navigation still shows which page this is: "N more" is marked
            under_more.append(title)
            assert marked(page.locator("[data-testid=stTopNavSection]")), title
        else:
            assert marked(page.locator("a[aria-current=page]").first), title
        screenshot(page, title.lower().replace(" ", "-"))
        assert page.locator("[data-testid=stException]").count() == 0, title
    assert under_more  # at 1440 px the last pages do not fit
    assert page.errors == []


def test_clicking_a_curve_picks_its_configuration_everywhere(server, page):
    """The visitor clicks the worst configuration's test curve: its row is ticked in the table, its curves
    stand out, the others fade, and its boundary panel is framed."""
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(server)
    page.locator("[data-testid=stSidebar]").get_by_role("button", name=re.compile("Run")).first.click()
    page.get_by_text("Accuracy", exact=True).wait_for(timeout=120_000)
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 2", timeout=60_000)
    time.sleep(1.5)
    point = page.evaluate("""() => {
        const curves = [...document.querySelectorAll('[data-testid=stMain] .js-plotly-plot')]
            .find(p => p.layout.xaxis && p.layout.xaxis.title && p.layout.xaxis.title.text === 'epoch');
        const index = curves.data.findIndex(t => t.meta === '[36, 3]' && t.line && t.line.dash === 'dash');
        const trace = curves._fullData[index], k = Math.floor(trace.x.length / 2);
        const area = curves.querySelector('.nsewdrag').getBoundingClientRect();
        return [area.left + curves._fullLayout.xaxis.l2p(trace.x[k]), area.top + curves._fullLayout.yaxis.l2p(trace.y[k])];
    }""")
    page.mouse.move(*point)
    time.sleep(0.3)
    page.mouse.click(*point)
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid=stMain] .js-plotly-plot')]
        .some(plot => (plot.layout.shapes || []).some(shape => shape.type === 'rect'))""", timeout=30_000)
    picked = page.evaluate("""() => {
        const curves = [...document.querySelectorAll('[data-testid=stMain] .js-plotly-plot')]
            .find(p => p.layout.xaxis && p.layout.xaxis.title && p.layout.xaxis.title.text === 'epoch');
        return {wide: [...new Set(curves.data.filter(t => t.line && t.line.width === 3).map(t => t.meta))],
                faded: [...new Set(curves.data.filter(t => t.opacity === 0.2).map(t => t.meta))]};
    }""")
    assert picked["wide"] == ["[36, 3]"] and sorted(picked["faded"]) == ["[36, 16, 8, 3]", "[36, 8, 3]"]
    screenshot(page, "compare-picked")
    assert page.locator("[data-testid=stException]").count() == 0 and page.errors == []


def test_click_anywhere_to_try_a_point(server, page):
    """On circles, the visitor opens Try it and clicks empty space: that point is predicted and marked."""
    page.goto(f"{server}/?dataset=circles&arch=%5B25%2C%208%2C%202%5D&epochs=30")
    page.get_by_role("button", name="Run the comparison from your link (1 run)").click()
    page.get_by_text("Save and share").wait_for(timeout=120_000)
    open_page(page, "Try it")
    x1, x2 = page.locator('input[aria-label="x1"]').last, page.locator('input[aria-label="x2"]').last
    x1.wait_for(timeout=30_000)
    assert x1.input_value() == "0.00"
    plot_area = page.locator("[data-testid=stMain] .js-plotly-plot .nsewdrag").first
    plot_area.wait_for(timeout=30_000)
    box = plot_area.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.83, box["y"] + box["height"] * 0.27)
    page.wait_for_function("[...document.querySelectorAll('input[aria-label=\"x1\"]')].some(i => i.value !== '0.00')",
                           timeout=30_000)
    time.sleep(1.5)
    assert float(x1.input_value()) > 0.3  # right of centre
    assert float(x2.input_value()) > 0.1  # above centre
    marker = page.evaluate("""() => {
        const plot = document.querySelector('[data-testid=stMain] .js-plotly-plot');
        const trace = plot.data.find(t => t.name === 'your point');
        return [trace.x[0], trace.y[0]];
    }""")
    assert marker == pytest.approx([float(x1.input_value()), float(x2.input_value())], abs=0.006)
    screenshot(page, "try-it-point")
    assert page.locator("[data-testid=stException]").count() == 0 and page.errors == []


def test_watch_a_comparison_learn_live_then_stop(server, page):
    """The visitor runs a comparison that takes a while: the Compare page shows the curves growing towards
    the last epoch and the boundary panels redrawing; Stop keeps what trained."""
    page.set_viewport_size({"width": 1440, "height": 900})
    # 1500 samples: about 30 s of training for each of the two workers, so Stop comes well before the end
    query = ("dataset=circles&circles.n=1500&arch=%5B2%2C16%2C2%5D&arch=%5B2%2C16%2C8%2C2%5D&act=relu&act=tanh"
             "&epochs=2000")
    page.goto(f"{server}/?{query}")
    page.get_by_role("button", name=re.compile(r"Run the comparison from your link")).click()
    page.get_by_text(re.compile("^Live: the curves grow")).wait_for(timeout=60_000)

    def live_state():
        """The curves' x range and last epoch and the panels' count, read in a moment when both charts are
        drawn: the live charts are remounted on every update (README: the flicker), so either may be
        missing for a frame. The panels can also be drawn before the first epoch ends and the curves begin."""
        return page.wait_for_function("""() => {
            const plots = [...document.querySelectorAll('[data-testid=stMain] .js-plotly-plot')];
            const curves = plots.find(p => p.layout.xaxis && p.layout.xaxis.title && p.layout.xaxis.title.text === 'epoch');
            const panels = plots.find(p => p.data.some(t => t.type === 'heatmap'));
            if (!curves || !panels || !curves._fullData) return null;
            const epochs = Math.max(...curves._fullData.filter(t => t.x && t.x.length).map(t => t.x[t.x.length - 1] || 0));
            return {range: curves.layout.xaxis.range, epochs: epochs,
                    panels: panels.data.filter(t => t.type === 'heatmap').length};
        }""", timeout=60_000).json_value()

    first = live_state()
    screenshot(page, "compare-live")
    assert first["range"] == [0, 2001] and first["panels"] >= 1
    deadline = time.time() + 30
    while live_state()["epochs"] <= first["epochs"]:  # the curves grow while the visitor watches
        assert time.time() < deadline, f"the live curves did not grow past epoch {first['epochs']}"
        time.sleep(0.5)
    page.get_by_role("button", name="Stop", exact=True).click()
    page.get_by_text(re.compile("^Stopped: ")).wait_for(timeout=30_000)
    page.get_by_text("Accuracy", exact=True).wait_for(timeout=30_000)
    screenshot(page, "compare-stopped")
    assert page.locator("[data-testid=stException]").count() == 0 and page.errors == []
