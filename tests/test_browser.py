"""One real browser: `streamlit run` on a free port, headless Chromium driven by Playwright, Run pressed
(the ``server`` and ``page`` fixtures are in conftest.py). The boundary panels, the film and the live view are
drawn by the canvas renderer (ui/components): an element whose view lives in a shadow root, read here with
the helpers below. No fixed sleeps: every step waits for what it looks for."""
import os
import re

import pytest

from ui.pages import PAGES as PAGE_ROWS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCREENSHOT_DIR = os.path.join(ROOT, "screenshots")
pytestmark = pytest.mark.slow


PAGES = ["Compare", "Lessons", "Gradient flow", "Boundary over time", "Inside the network", "Images", "Try it",
         "Learning-rate finder", "Hyperparameters"]

# the root of a canvas element's view, by the element's key
ROOT_JS = """key => {
    const host = document.querySelector(`.st-key-${key} [data-testid=stBidiComponentIsolated]`);
    return host && host.shadowRoot ? host.shadowRoot.querySelector('.nnlab') : null;
}"""
CURVES = "root.view.charts.flatMap(chart => chart.series)"  # the curves drawn, with how (faded, width)


def settle(page, timeout=30_000):
    """Wait until the app is idle and the page's layout has stopped moving (three animation frames alike)."""
    page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=60_000)
    page.wait_for_function("""() => new Promise(resolve => {
        const shape = () => [...document.querySelectorAll('[data-testid=stMain] .stElementContainer')]
            .map(n => { const r = n.getBoundingClientRect(); return `${r.left},${r.top},${r.width},${r.height}`; }).join('|');
        let last = shape(), same = 0;
        const check = () => { const now = shape(); same = now === last ? same + 1 : 0; last = now;
                              if (same >= 3) resolve(true); else requestAnimationFrame(check); };
        requestAnimationFrame(check);
    })""", timeout=timeout)


def screenshot(page, name):
    """The page as a visitor sees it at 1440x900, on a small laptop (1024x768) and at 800 px wide."""
    os.makedirs(SCREENSHOT_DIR, exist_ok=True)
    for width, height in ((1440, 900), (1024, 768), (800, 900)):
        page.set_viewport_size({"width": width, "height": height})
        settle(page)
        page.screenshot(path=os.path.join(SCREENSHOT_DIR, f"{name}-{width}.png"))
    page.set_viewport_size({"width": 1440, "height": 900})
    settle(page)  # the top navigation lays itself out again for the wide window


def open_page(page, title):
    """Click a page in the top navigation (the last ones sit under "N more"); True if it sat there."""
    link = page.get_by_role("link", name=title)
    more = not (link.count() and link.first.is_visible())
    if more:
        page.get_by_text(re.compile(r"^\d+ more$")).first.click()
        # a menu item by its role (Streamlit 1.67), or by its text in the open menu (1.63 gives it no role)
        page.get_by_role("menuitem", name=title).or_(
            page.locator("[data-testid=stTopNavDropdownLink]", has_text=title)).first.click()
    else:
        link.first.click()
    url_path = next(path for _, name, path, _ in PAGE_ROWS if name == title)
    page.wait_for_url(re.compile(f"/{url_path}"), timeout=60_000)
    settle(page)
    return more


def marked(locator):
    """True if the navigation marks this element as the current page (a background behind it), the pointer
    and the focus elsewhere (a hovered or focused button has a background of its own)."""
    locator.page.mouse.move(700, 600)
    locator.page.evaluate("() => document.activeElement && document.activeElement.blur()")
    return locator.evaluate("element => getComputedStyle(element).backgroundColor") not in ("rgba(0, 0, 0, 0)",
                                                                                           "transparent")


def view(page, key, expression):
    """Evaluate ``expression`` (JS, with ``root`` the view of the canvas element ``key``) in the page."""
    return page.evaluate(f"key => {{ const root = ({ROOT_JS})(key); return {expression}; }}", key)


def wait_view(page, key, condition, timeout=60_000):
    """Wait until ``condition`` (JS, with ``root``) holds for the canvas element ``key``; its value."""
    return page.wait_for_function(f"key => {{ const root = ({ROOT_JS})(key); return root && ({condition}); }}",
                                  arg=key, timeout=timeout).json_value()


PIXELS = "[...root.querySelectorAll('.panel canvas.image')].map(c => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data.filter((_, i) => i % 29 === 0)).join(','))"


def charts_layout(page):
    """"side by side", "stacked" (the boundaries under the curves, both nearly the main area's width) or
    "other", from where the curves chart and the boundary panels are drawn."""
    return page.evaluate("""() => {
        const curves = document.querySelector('.st-key-curves');
        const panels = document.querySelector('.st-key-boundaries');
        const main = document.querySelector('[data-testid=stMainBlockContainer]').getBoundingClientRect();
        const [c, b] = [curves.getBoundingClientRect(), panels.getBoundingClientRect()];
        if (b.left >= c.right && Math.abs(b.top - c.top) < 200) return 'side by side';
        const wide = r => r.width > 0.8 * (main.width - 64);
        if (b.top >= c.bottom && wide(c) && wide(b)) return 'stacked';
        return 'other';
    }""")


def run_from_link(page, server, query):
    page.goto(f"{server}/?{query}")
    page.get_by_role("button", name=re.compile("Run the comparison from your link")).click()


def wait_for_results(page):
    page.get_by_text("Accuracy", exact=True).wait_for(timeout=120_000)
    wait_view(page, "boundaries", "root.querySelectorAll('.panel').length > 0")
    wait_view(page, "curves", f"{CURVES}.length > 0")
    page.locator("[data-testid=stDataFrame] canvas").first.wait_for(timeout=30_000)
    settle(page)


def test_run_a_lesson_and_visit_every_page(server, page):
    """A visitor opens the app, presses the first lesson, sees charts and table together, then visits every
    page: no exception and no browser error anywhere."""
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(server)
    page.get_by_role("button", name="Show me").first.wait_for(timeout=60_000)
    screenshot(page, "welcome")
    page.get_by_role("button", name="Show me").first.click()
    wait_for_results(page)
    screenshot(page, "compare")
    assert page.get_by_text("Best: 100.0%").count() == 1
    # curves beside boundaries in a wide window; in a narrow one, one under the other, each as wide as the page
    assert charts_layout(page) == "side by side"
    page.set_viewport_size({"width": 800, "height": 900})
    settle(page)
    assert charts_layout(page) == "stacked"
    page.set_viewport_size({"width": 1440, "height": 900})
    settle(page)
    # linked views: ticking the best row frames its boundary panel and fades the other curves
    grid = page.locator("[data-testid=stDataFrame]").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 14, box["y"] + 35 + 17)
    wait_view(page, "boundaries", "root.querySelectorAll('.panel.picked').length === 1", timeout=30_000)
    wait_view(page, "curves", f"{CURVES}.some(curve => curve.faded)", timeout=30_000)
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
    wait_for_results(page)
    point = view(page, "curves", "root.view.charts[0].locate('[36, 3]', 'test', -8)")
    page.mouse.move(*point)
    page.mouse.click(*point)
    picked = wait_view(page, "boundaries", "root.querySelector('.panel.picked') && "
                       "[...root.querySelectorAll('.panel.picked')].map(p => p.dataset.key)", timeout=30_000)
    assert picked == ["[36, 3]"]
    lines = wait_view(page, "curves", f"""{CURVES}.some(c => c.width === 3) && {{
        wide: [...new Set({CURVES}.filter(c => c.width === 3).map(c => c.key))],
        faded: [...new Set({CURVES}.filter(c => c.faded).map(c => c.key))]}}""")
    assert lines["wide"] == ["[36, 3]"] and sorted(lines["faded"]) == ["[36, 16, 8, 3]", "[36, 8, 3]"]
    ticked = page.locator("[data-testid=stDataFrame] tr[aria-selected=true]")  # the grid's accessible rows
    ticked.first.wait_for(state="attached", timeout=30_000)
    assert ticked.count() == 1 and "[36, 3]" in ticked.first.text_content()
    screenshot(page, "compare-picked")
    assert page.locator("[data-testid=stException]").count() == 0 and page.errors == []


def test_clicking_a_panel_ticks_its_row(server, page):
    """The visitor clicks the boundary panel of [2, 4, 2]: its row is ticked in the accuracy table, its panel
    framed and its curves stand out."""
    run_from_link(page, server, "dataset=circles&arch=%5B2%2C8%2C2%5D&arch=%5B2%2C4%2C2%5D&epochs=40")
    wait_for_results(page)
    page.locator(".st-key-boundaries .panel[data-key='[2, 4, 2]']").click()
    wait_view(page, "boundaries", "root.querySelector(\".panel.picked[data-key='[2, 4, 2]']\")", timeout=30_000)
    row = page.locator("[data-testid=stDataFrame] tr[aria-selected=true]")  # the grid's accessible rows
    row.first.wait_for(state="attached", timeout=30_000)
    assert row.count() == 1 and "[2, 4, 2]" in row.first.text_content()
    wide = wait_view(page, "curves", f"{CURVES}.some(c => c.width === 3) && "
                     f"[...new Set({CURVES}.filter(c => c.width === 3).map(c => c.key))]")
    assert wide == ["[2, 4, 2]"]
    assert page.errors == []


def test_the_film_plays_and_the_curves_change_in_the_browser(server, page):
    """The visitor switches the boundaries to "while learning" and presses play: every panel changes as the
    epochs go by; then switches the curves to accuracy on a log-free axis and smooths them. No request goes
    to the server for any of it."""
    sent = []  # what the page sends the server over its websocket
    page.on("websocket", lambda socket: socket.on("framesent", lambda payload: sent.append(payload)))
    run_from_link(page, server, "dataset=circles&arch=%5B2%2C8%2C2%5D&arch=%5B2%2C8%2C8%2C2%5D&epochs=200")
    wait_for_results(page)
    page.get_by_text("while learning", exact=True).click()
    wait_view(page, "film", "root.querySelectorAll('.panel').length === 2 && root.dataset.epoch === '200'")
    settle(page)
    before = view(page, "film", PIXELS)
    sent.clear()
    page.locator(".st-key-film button.play").click()
    wait_view(page, "film", "Number(root.dataset.epoch) > 3 && Number(root.dataset.epoch) < 200", timeout=10_000)
    during = view(page, "film", PIXELS)
    assert all(a != b for a, b in zip(before, during))  # every panel shows an earlier boundary
    wait_view(page, "film", "root.dataset.epoch === '200'", timeout=30_000)  # played to the end
    assert view(page, "film", PIXELS) == before and page.errors == []
    page.locator(".st-key-curves button.metric", has_text="accuracy").click()
    wait_view(page, "curves", "root.dataset.metric === 'accuracy'")
    assert view(page, "curves", f"Math.max(...{CURVES}.flatMap(c => c.y)) <= 1")  # accuracies now
    page.locator(".st-key-curves input.smoothing").fill("0.6")
    wait_view(page, "curves", "root.querySelector('input.smoothing').value === '0.6'")
    assert sent == []  # the slider, the play button and the curves' options ran in the browser alone
    screenshot(page, "film")


def test_watch_a_comparison_learn_live_then_stop(server, page):
    """The visitor runs a comparison that takes a while: the Compare page shows one live element whose
    curves grow and panels change in place (the same element across updates, never remounted); switching
    the system to dark mode repaints that same element dark; Stop keeps what trained."""
    page.set_viewport_size({"width": 1440, "height": 900})
    # 1500 samples: about 30 s of training for each of the two workers, so Stop comes well before the end
    run_from_link(page, server, "dataset=circles&circles.n=1500&arch=%5B2%2C16%2C2%5D&arch=%5B2%2C16%2C8%2C2%5D"
                                "&act=relu&act=tanh&epochs=2000")
    wait_view(page, "live_view", "root.querySelectorAll('.panel').length === 4", timeout=60_000)
    mounts = page.evaluate("window.__nnlab.mounts")
    start = int(view(page, "live_view", "(root.dataset.tag = 'watched', root.dataset.updates)"))
    first = view(page, "live_view", PIXELS)
    wait_view(page, "live_view", f"Number(root.dataset.updates) >= {start + 5}", timeout=60_000)
    assert view(page, "live_view", "root.dataset.tag") == "watched"  # the same element, five updates on
    assert page.evaluate("window.__nnlab.mounts") == mounts
    later = view(page, "live_view", PIXELS)
    assert any(a != b for a, b in zip(first, later))  # the panels changed as the networks learned
    screenshot(page, "compare-live")
    background = "Array.from(root.querySelector('canvas.curves').getContext('2d').getImageData(2, 2, 1, 1).data)"
    light = view(page, "live_view", background)
    page.emulate_media(color_scheme="dark")
    dark = wait_view(page, "live_view", f"(({background}).join() !== '{','.join(map(str, light))}') && {background}")
    assert sum(dark[:3]) < sum(light[:3]) and view(page, "live_view", "root.dataset.tag") == "watched"
    screenshot(page, "compare-live-dark")
    page.emulate_media(color_scheme="light")
    page.locator("[data-testid=stMainBlockContainer]").get_by_role(  # 1.63 names it "stop Stop" (the icon)
        "button", name=re.compile(r"(^|\s)Stop$")).click()
    page.get_by_text(re.compile("^Stopped: ")).wait_for(timeout=30_000)
    page.get_by_text("Accuracy", exact=True).wait_for(timeout=30_000)
    screenshot(page, "compare-stopped")
    assert page.locator("[data-testid=stException]").count() == 0 and page.errors == []


def test_click_anywhere_to_try_a_point(server, page):
    """On circles, the visitor opens Try it and clicks empty space: that point is predicted and marked."""
    run_from_link(page, server, "dataset=circles&arch=%5B25%2C%208%2C%202%5D&epochs=30")
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
    settle(page)
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


def test_a_narrow_window_shows_each_configuration_with_its_test_accuracy(server, page):
    """A student on an 800 px laptop trains a comparison where five settings vary: the accuracy table's first
    screen shows each configuration and its test accuracy (the test % column was off to the right), and the
    share link stays on one line instead of breaking mid-number ("lr=2" / "0")."""
    page.set_viewport_size({"width": 800, "height": 900})
    query = ("dataset=circles&dataset=moons&arch=%5B25%2C%2016%2C%208%2C%202%5D&arch=%5B25%2C%208%2C%202%5D"
             "&act=relu&act=tanh&lr=0.2&lr=0.05&epochs=20")
    page.goto(f"{server}/?{query}")
    page.get_by_role("button", name=re.compile(r"Run the comparison from your link")).click()
    page.get_by_text("Save and share").wait_for(timeout=120_000)
    grid = page.locator("[data-testid=stDataFrame]").first
    grid.scroll_into_view_if_needed()
    headers = page.wait_for_function("""() => {
        const names = [...document.querySelectorAll('[data-testid=stDataFrame] [role=columnheader]')]
            .map(header => header.textContent);
        return names.includes('configuration') ? names : null;
    }""", timeout=30_000).json_value()
    assert "test %" in headers  # drawn in the table's first screen, no sideways scrolling
    page.get_by_text("Save and share").scroll_into_view_if_needed()
    lines = page.evaluate("""() => {
        const link = [...document.querySelectorAll('[data-testid=stCode] code span')].pop();
        return link.getClientRects().length;
    }""")
    assert lines == 1
    screenshot(page, "compare-narrow-table")
    assert page.locator("[data-testid=stException]").count() == 0 and page.errors == []


def paint_one_pixel(page, row, col):
    """Click the centre of one pixel of Try it's canvas; return its value before and once it changed."""
    canvas = ("[...document.querySelectorAll('[data-testid=stMain] .js-plotly-plot')]"
              ".find(p => p.data[0].type === 'heatmap')")
    before, x, y = page.evaluate(f"""() => {{
        const plot = {canvas}, area = plot.querySelector('.nsewdrag').getBoundingClientRect();
        return [plot._fullData[0].z[{row}][{col}], area.left + plot._fullLayout.xaxis.l2p({col}),
                area.top + plot._fullLayout.yaxis.l2p({row})];
    }}""")
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    after = page.wait_for_function(f"""() => {{
        const plot = {canvas};
        const value = plot && plot._fullData ? plot._fullData[0].z[{row}][{col}] : {before};
        return value !== {before} ? value : null;
    }}""", timeout=20_000).json_value()
    return before, after


def test_a_click_paints_one_pixel(server, page):
    """On digits and on edge, at 1440 and 800 px, the visitor clears Try it's canvas and clicks one pixel: it
    is painted (a single click used to paint nothing: Streamlit turns clicks into bare events, selecting
    nothing, when a figure's drag mode is "select")."""
    page.goto(f"{server}/?dataset=digits&dataset=edge&arch=%5B25%2C%2016%2C%202%5D&epochs=5")
    page.get_by_role("button", name=re.compile(r"Run the comparison from your link")).click()
    page.get_by_text("Save and share").wait_for(timeout=120_000)
    open_page(page, "Try it")
    for dataset in ("digits", "edge"):
        page.locator("[data-testid=stMain] [data-testid=stButtonGroup]").first.get_by_text(dataset, exact=True).click()
        page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=30_000)
        for width, (row, col) in ((1440, (2, 3)), (800, (3, 1))):
            page.set_viewport_size({"width": width, "height": 900})
            page.get_by_role("button", name="Clear", exact=True).click()
            page.wait_for_function("""() => [...document.querySelectorAll('[data-testid=stMain] .js-plotly-plot')]
                .some(p => p.data[0].type === 'heatmap'
                           && p._fullData[0].z.every(row => Array.from(row).every(v => v === 0)))""", timeout=20_000)
            before, after = paint_one_pixel(page, row, col)
            assert before == 0 and after > 0, (dataset, width)
            page.screenshot(path=os.path.join(SCREENSHOT_DIR, f"try-it-painted-{dataset}-{width}.png"))
    assert page.locator("[data-testid=stException]").count() == 0 and page.errors == []


def luminance(hex_color):
    """WCAG relative luminance of "#rrggbb"."""
    channels = [int(hex_color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a, b):
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_your_point_stands_out_in_dark_mode(server, page):
    """A visitor whose system is in dark mode picks a point on Try it: the marker of their point stands out
    from the near-black page (it was a black cross with nothing around it)."""
    page.emulate_media(color_scheme="dark")
    page.goto(f"{server}/?dataset=circles&arch=%5B25%2C%208%2C%202%5D&epochs=30")
    page.get_by_role("button", name="Run the comparison from your link (1 run)").click()
    page.get_by_text("Save and share").wait_for(timeout=120_000)
    open_page(page, "Try it")
    colours = page.wait_for_function("""() => {
        const plot = document.querySelector('[data-testid=stMain] .js-plotly-plot');
        const trace = plot && plot._fullData && plot._fullData.find(t => t.name === 'your point');
        if (!trace) return null;
        const hex = colour => { const c = document.createElement('canvas').getContext('2d');
                                c.fillStyle = colour; return c.fillStyle; };
        return {page: hex(getComputedStyle(document.querySelector('.stApp')).backgroundColor),
                fill: hex(trace.marker.color), rim: trace.marker.line.width > 0 ? hex(trace.marker.line.color) : null};
    }""", timeout=30_000).json_value()
    assert luminance(colours["page"]) < 0.05  # the dark theme
    assert max(contrast(colours["fill"], colours["page"]),
               contrast(colours["rim"], colours["page"]) if colours["rim"] else 0) >= 4.5
    screenshot(page, "try-it-point-dark")
    assert page.locator("[data-testid=stException]").count() == 0 and page.errors == []
