"""How long the epoch slider of "while learning" takes to redraw every panel, in a real browser.

    python benchmarks/bench_film.py [--port 8640]

Starts the app, opens a link to a comparison (circles; 3 and 12 configurations), presses Run, switches the
boundaries to "while learning", and then, in the page, moves the film's slider to every epoch in turn the
way the slider does (``Plotly.animate`` of that epoch's frame, no transition), timing each move from the
call until Plotly has drawn it. The slider runs in the browser: no request goes to the server. Reports the
median and the slowest move per comparison, and the machine's load (a busy machine slows the browser too).
Needs Debian's chromium (/usr/bin/chromium) and playwright.
"""
import argparse
import os
import subprocess
import sys
import time
import urllib.request

from playwright.sync_api import sync_playwright

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
COMPARISONS = {
    "3 configurations": "dataset=circles&arch=[2, 16, 2]&act=relu&act=tanh&act=sigmoid&epochs=200",
    "12 configurations": ("dataset=circles&arch=[2, 8, 2]&arch=[2, 16, 2]&arch=[2, 16, 8, 2]&arch=[2, 32, 2]"
                          "&act=relu&act=tanh&act=sigmoid&epochs=200"),
}
TIME_MOVES = """async () => {
    const gd = [...document.querySelectorAll('[data-testid=stMain] .js-plotly-plot')]
        .find(plot => plot._transitionData && plot._transitionData._frames && plot._transitionData._frames.length);
    const names = gd._transitionData._frames.map(frame => frame.name);
    const times = [];
    for (const name of names) {
        const start = performance.now();
        await Plotly.animate(gd, [name], {mode: 'immediate', frame: {duration: 0, redraw: true},
                                          transition: {duration: 0}});
        await new Promise(resolve => requestAnimationFrame(() => resolve()));  // until it is on screen
        times.push(performance.now() - start);
    }
    return {panels: gd.data.filter(t => t.type === 'heatmap').length, times: times};
}"""


def start_server(port):
    process = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port",
                                str(port), "--server.headless", "true"], cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).read() == b"ok":
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8640)
    args = parser.parse_args()
    server = start_server(args.port)
    print(f"load before {os.getloadavg()[0]:.1f}")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=["--no-sandbox", "--disable-gpu"])
            for name, query in COMPARISONS.items():
                page = browser.new_page(viewport={"width": 1440, "height": 900})
                page.goto(f"http://127.0.0.1:{args.port}/?{query.replace(' ', '%20')}")
                page.get_by_role("button", name="Run the comparison from your link", exact=False).click()
                page.get_by_text("Accuracy", exact=True).wait_for(timeout=300_000)
                page.get_by_text("while learning", exact=True).click()
                page.wait_for_function("""() => [...document.querySelectorAll('[data-testid=stMain] .js-plotly-plot')]
                    .some(p => p._transitionData && p._transitionData._frames && p._transitionData._frames.length)""",
                                       timeout=60_000)
                time.sleep(2)
                measured = page.evaluate(TIME_MOVES)
                times = sorted(measured["times"])
                print(f"{name}: {measured['panels']} panels, {len(times)} epochs on the slider; a move redraws in "
                      f"{times[len(times) // 2]:.0f} ms (median), {times[-1]:.0f} ms at worst")
                page.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    print(f"load after {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
