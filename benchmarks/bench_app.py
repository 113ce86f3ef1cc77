"""Several visitors at once: start one Streamlit server, open N headless Chromium sessions together, press
Run in each, and report each session's time to charts and the server's peak memory.

    python benchmarks/bench_app.py [--sessions 5] [--query "dataset=edge"] [--port 8599]

Needs Debian's chromium (/usr/bin/chromium) and the playwright and psutil Python packages.
"""
import argparse
import asyncio
import os
import subprocess
import sys
import threading
import time
import urllib.request

import psutil
from playwright.async_api import async_playwright

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
# A comparison near the default caps: 192 runs (the cap is 200) on edge and circles.
AT_CAPS = ("dataset=edge&dataset=circles&arch=[25, 2]&arch=[25, 8, 2]&arch=[25, 16, 8, 2]&arch=[25, 32, 16, 2]"
           "&act=relu&act=tanh&act=sigmoid&act=leaky_relu&lr=0.5&lr=0.1&lr=0.01&seeds=2")


def start_server(port):
    process = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port),
                                "--server.headless", "true"], cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).read() == b"ok":
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start")


class MemoryWatch(threading.Thread):
    """Samples the server's resident memory (with any child processes) until stopped."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.process, self.peak, self.running = psutil.Process(pid), 0, True

    def rss(self):
        return sum(p.memory_info().rss for p in [self.process, *self.process.children(recursive=True)])

    def run(self):
        while self.running:
            self.peak = max(self.peak, self.rss())
            time.sleep(0.1)


async def visit(browser, url, results, index):
    page = await browser.new_page(viewport={"width": 1440, "height": 1600})
    await page.goto(url)
    run_button = page.get_by_role("button", name="▶ Run", exact=True)
    await run_button.wait_for(timeout=60_000)
    start = time.perf_counter()
    await run_button.click()
    await page.get_by_text("Save and share").wait_for(timeout=600_000)
    await page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 2",
                                 timeout=120_000)
    results[index] = time.perf_counter() - start
    errors = await page.locator("[data-testid=stException]").count()
    if errors:
        results[index] = f"{results[index]:.1f} s, with {errors} exception(s) on the page"


async def main_async(args):
    url = f"http://127.0.0.1:{args.port}/?{args.query}" if args.query else f"http://127.0.0.1:{args.port}/"
    server = start_server(args.port)
    watch = MemoryWatch(server.pid)
    try:
        idle = watch.rss()
        cpu_before = sum(psutil.Process(server.pid).cpu_times()[:2])
        watch.start()
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path="/usr/bin/chromium",
                                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            results = [None] * args.sessions
            started = time.perf_counter()
            await asyncio.gather(*(visit(browser, url, results, i) for i in range(args.sessions)))
            wall = time.perf_counter() - started
            await browser.close()
        time.sleep(0.5)
        watch.running = False
        print(f"{args.sessions} sessions at once, query: {args.query or '(defaults)'}")
        for i, seconds in enumerate(results):
            print(f"  session {i + 1}: charts after {seconds:.1f} s" if isinstance(seconds, float)
                  else f"  session {i + 1}: {seconds}")
        cpu = sum(psutil.Process(server.pid).cpu_times()[:2]) - cpu_before
        print(f"all done after {wall:.1f} s; server CPU {cpu:.1f} s (the browsers share the same cores); "
              f"server memory idle {idle / 2**20:.0f} MB, peak {watch.peak / 2**20:.0f} MB, "
              f"after {watch.rss() / 2**20:.0f} MB")
    finally:
        server.terminate()
        server.wait(timeout=20)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=5)
    parser.add_argument("--query", default="", help='URL query of the comparison, or "caps" for one at the caps')
    parser.add_argument("--port", type=int, default=8599)
    args = parser.parse_args()
    if args.query == "caps":
        args.query = AT_CAPS
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
