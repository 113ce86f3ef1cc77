"""A large comparison in headless Chromium: 112 runs (edge, xor, circles and digits x [25, 2], [25, 8, 2],
[25, 16, 8, 2] and [25, 12, 6, 2] x relu and tanh x four learning rates), as issue 23 tried it.

    python benchmarks/bench_large.py [--epochs 200] [--width 1440]

The app runs as benchmarks/timed_app.py (unchanged, plus a log of when its trainings end). One visitor
opens the link, presses Run and waits; then, on the finished Compare page:

- settled: the time from the end of training (the server's log) until the page has settled: the results'
  heading, the curves drawn, the boundary panels painted, the app idle and the layout still for three
  frames (target 5 s);
- the page: DOM elements (the canvas elements' shadow roots included) and the JS heap (Chrome's
  Performance metrics);
- every control on Compare, in turn: from the click until the page has settled again, and whether the
  rerun was a fragment's or the whole script's (Streamlit says so when a run ends; target 1 s, fragment);
- opened from a link to the cached results by a second visitor: from the click on "Run the comparison from
  your link" until settled (target 5 s).

Reported with the date, the commit, the machine's load (``uptime``) and the BLAS threads.
"""
import argparse
import json
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from benchmarks.harness import Server, conditions, launch_chromium  # noqa: E402

ARCHS = ["[25, 2]", "[25, 8, 2]", "[25, 16, 8, 2]", "[25, 12, 6, 2]"]
QUERY = "&".join([*(f"dataset={d}" for d in ("edge", "xor", "circles", "digits")),
                  *(f"arch={a.replace(' ', '%20').replace('[', '%5B').replace(']', '%5D').replace(',', '%2C')}"
                    for a in ARCHS),
                  "act=relu", "act=tanh", "lr=0.3", "lr=0.1", "lr=0.03", "lr=0.01"])
SETTLED = """() => new Promise(resolve => {
    const ready = () => {
        if (document.querySelector('[data-testid=stStatusWidget]')) return false;
        const heading = [...document.querySelectorAll('h3')].some(h => h.textContent.trim() === 'Accuracy');
        const root = key => { const host = document.querySelector(`.st-key-${key} [data-testid=stBidiComponentIsolated]`);
                              return host && host.shadowRoot; };
        const curves = root('curves') && root('curves').querySelector('canvas.curves');
        const panels = root('boundaries') && root('boundaries').querySelector('.panel canvas.image');
        return heading && curves && curves.width && panels;
    };
    const shape = () => [...document.querySelectorAll('[data-testid=stMain] .stElementContainer')]
        .map(n => { const r = n.getBoundingClientRect(); return `${r.top},${r.height}`; }).join('|');
    let last = null, same = 0;
    const check = () => {
        if (ready()) { const now = shape(); same = now === last ? same + 1 : 0; last = now; } else { same = 0; }
        if (same >= 3) resolve(performance.timeOrigin + performance.now());
        else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
})"""
COUNT = """() => { let n = 0; const walk = root => { for (const el of root.querySelectorAll('*')) { n++; if (el.shadowRoot) walk(el.shadowRoot); } };
                   walk(document); return n; }"""


CURVES_ROOT = """() => document.querySelector('.st-key-curves [data-testid=stBidiComponentIsolated]').shadowRoot
                                 .querySelector('.nnlab')"""


class Runs:
    """The script runs the server reports over the page's websocket: when each ended and how; and how many
    messages the page sent."""

    def __init__(self, page):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        self.ended, self.sent = [], []
        self._message = ForwardMsg

        def received(payload):
            if isinstance(payload, str):
                return
            message = self._message()
            try:
                message.ParseFromString(payload)
            except Exception:  # noqa: BLE001 - not a ForwardMsg
                return
            if message.WhichOneof("type") == "script_finished":
                self.ended.append((time.time(), message.script_finished))

        def watch(socket):
            socket.on("framereceived", received)
            socket.on("framesent", lambda payload: self.sent.append(time.time()))

        page.on("websocket", watch)

    def first_end(self, start):
        return min((t for t, _ in self.ended if t >= start), default=None)

    def since(self, start):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        names = {ForwardMsg.FINISHED_SUCCESSFULLY: "script", ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY: "fragment",
                 ForwardMsg.FINISHED_EARLY_FOR_RERUN: "cut short"}
        return [names.get(status, str(status)) for t, status in self.ended if t >= start]


def settle(page, timeout=120_000):
    return page.evaluate(f"() => Promise.race([({SETTLED})(), new Promise((_, no) => setTimeout(() => no('timeout'), {timeout}))])") / 1000


def server_runs(path, start):
    """The script runs the server logged since ``start`` (timed_app.py): [(wall s, cpu s, fragment)]."""
    with open(path) as file:
        events = [json.loads(line) for line in file]
    return [(e["wall"], e["cpu"], e["fragment"]) for e in events if e["event"] == "run" and e["t"] >= start]


def control(page, runs, name, act, wait_for=None, log=None):
    """Do ``act``; the seconds until the page has settled again, and the kinds of run it caused."""
    start = time.time()
    act()
    if wait_for:
        page.wait_for_function(wait_for, timeout=120_000)
    page.wait_for_function("() => true")
    deadline = time.time() + 120
    while not runs.since(start) and time.time() < deadline:  # the rerun has ended
        page.wait_for_timeout(20)
    end = settle(page)
    kinds = runs.since(start)
    served = runs.first_end(start)
    script = server_runs(log, start) if log else []
    costs = "; ".join(f"{'fragment' if fragment else 'script'} run {wall:.2f} s, CPU {cpu:.2f} s"
                      for wall, cpu, fragment in script)
    print(f"  {name}: {end - start:.2f} s ({', '.join(kinds) or 'no rerun'}; the server's run ended after "
          f"{served - start:.2f} s; the server: {costs})" if served else f"  {name}: {end - start:.2f} s (no rerun)")
    return end - start, kinds


def in_browser(page, runs, name, act, drawn):
    """Do ``act`` in the curves' element, which draws it in the browser; the time until ``drawn`` (JS, with
    ``root``) holds and the next frame is on screen, and whether anything went to the server."""
    start = time.time()
    act()
    page.wait_for_function(f"() => {{ const root = ({CURVES_ROOT})(); return {drawn}; }}", timeout=60_000)
    page.evaluate("() => new Promise(resolve => requestAnimationFrame(() => resolve()))")
    seconds = time.time() - start
    to_server = [t for t in runs.sent if t >= start]
    print(f"  {name}: {seconds:.3f} s (in the browser; {len(to_server)} messages to the server)")
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--width", type=int, default=1440)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright
    print(conditions(f"{args.width} px wide"))
    with tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False) as log:
        path = log.name
    query = f"{QUERY}&epochs={args.epochs}"
    with Server("benchmarks/timed_app.py", env={"NN_LAB_EVENT_LOG": path}) as server, \
            sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": args.width, "height": 900})
        runs = Runs(page)
        page.goto(f"{server.url}/?{query}")
        page.get_by_role("button", name="Run the comparison from your link", exact=False).click()
        clicked = time.time()
        page.get_by_text("Accuracy", exact=True).wait_for(timeout=900_000)
        settled = settle(page)
        with open(path) as file:
            finished = [json.loads(line)["t"] for line in file if '"finished"' in line]
        print(f"trained in {finished[-1] - clicked:.0f} s; from the end of training to settled: "
              f"{settled - finished[-1]:.2f} s")
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        print(f"  DOM elements {page.evaluate(COUNT)}, JS heap {metrics['JSHeapUsedSize'] / 1e6:.0f} MB")
        page.screenshot(path="/tmp/bench_large-finished.png")
        curves = page.locator(".st-key-curves")
        in_browser(page, runs, "curves: accuracy", lambda: curves.locator("button.metric", has_text="accuracy").click(),
                   "root.dataset.metric === 'accuracy'")
        in_browser(page, runs, "curves: loss", lambda: curves.locator("button.metric", has_text="loss").click(),
                   "root.dataset.metric === 'loss'")
        in_browser(page, runs, "log scale", lambda: curves.locator("label.option", has_text="log scale").click(),
                   "root.dataset.log === 'true'")
        in_browser(page, runs, "smoothing", lambda: curves.locator("input.smoothing").fill("0.6"),
                   "root.querySelector('input.smoothing').value === '0.6'")
        page.get_by_role("button", name="Options").first.click()
        control(page, runs, "colour by lr", lambda: (page.get_by_role("combobox", name="Colour by").click(),
                                                    page.get_by_role("option", name="lr").click()), log=path)
        page.keyboard.press("Escape")
        grid = page.locator("[data-testid=stDataFrame]").first
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        control(page, runs, "tick a row", lambda: page.mouse.click(box["x"] + 14, box["y"] + 35 + 17), log=path)
        control(page, runs, "show all", lambda: page.get_by_text("Show all 112 configurations").click(), log=path)
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        print(f"  with all 112 shown: DOM elements {page.evaluate(COUNT)}, JS heap "
              f"{metrics['JSHeapUsedSize'] / 1e6:.0f} MB")
        page.screenshot(path="/tmp/bench_large-all.png", full_page=True)
        second = browser.new_page(viewport={"width": args.width, "height": 900})
        second.goto(f"{server.url}/?{query}")
        button = second.get_by_role("button", name="Run the comparison from your link", exact=False)
        button.wait_for(timeout=60_000)
        start = time.time()
        button.click()
        second.get_by_text("Accuracy", exact=True).wait_for(timeout=120_000)
        print(f"opened from a link to the cached results: settled {settle(second) - start:.2f} s after the click")
        browser.close()
    os.unlink(path)
    print(f"load after {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
