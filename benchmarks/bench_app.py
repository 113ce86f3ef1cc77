"""A class opens the app in real browsers: N visitors (a Chromium context each) open it within a few seconds
and press Run. Reports per visitor click -> charts (median, worst) and where that time went (to the pool,
in the pool, until the next poll, drawing, the page), the server's peak memory, the clients' CPU apart, and
any error or lost run. The server runs benchmarks/timed_app.py (the app, writing an event log).

    python benchmarks/bench_app.py [--visitors 5 10 20] [--scenarios default mixed]
                                   [--start warm] [--spread 3] [--port 8650] [--json out.json]
    python benchmarks/bench_app.py --sessions 5 --query caps     # every visitor asks for one URL query

Scenarios ("default": everyone on the defaults; "mixed": half on 30-run comparisons of their own; "query")
and starts (cold, warm, cached) are described with the figures in docs/benchmarks.md ("A class opens the
app"). The browsers share the server's two cores (reniced to +10): bench_class.py measures the server
alone, with websocket visitors. Needs Debian's chromium and the playwright and psutil packages.
"""
import argparse
import asyncio
import json
import os
import re
import signal
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse

import psutil
from playwright.async_api import async_playwright

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks import harness  # noqa: E402

CORES = len(os.sched_getaffinity(0))
# A comparison near the default caps: 192 runs (the cap is 200) on edge and circles.
AT_CAPS = ("dataset=edge&dataset=circles&arch=[25, 2]&arch=[25, 8, 2]&arch=[25, 16, 8, 2]&arch=[25, 32, 16, 2]"
           "&act=relu&act=tanh&act=sigmoid&act=leaky_relu&lr=0.5&lr=0.1&lr=0.01&seeds=2")
MID_ARCHITECTURES = ["[25, 8, 2]", "[25, 16, 8, 2]", "[25, 32, 16, 2]"]
MID_ACTIVATIONS = ["relu", "tanh"]
MID_LRS = ["0.5", "0.2", "0.1", "0.05", "0.01"]
BLOCKED = {"image", "font", "media"}
VIEWPORT = {"width": 1024, "height": 768}
LOST = {"stopped", "waiting", "running", "error", "failed", "cancelled"}  # statuses of runs that did not train

ERRORS_ON_PAGE = """() => [...document.querySelectorAll('[data-testid=stException], [data-testid=stAlertContentError]')]
  .filter(el => !el.closest('[data-stale="true"]')).map(el => el.innerText.trim().slice(0, 300))"""
# Installed when the visitor presses Run: every 100 ms, the progress text and whether the charts are there;
# every 500 ms the errors. It stops once the charts are there (a page left checking costs CPU for nothing).
PAGE_WATCH = """() => {
  const s = window.__lab = {clicked: null, charted: null, texts: [], errors: [], headline: ''};
  const wall = () => performance.timeOrigin + performance.now();  // the server's clock: time.time()
  document.addEventListener('click', () => { if (s.clicked === null) s.clicked = wall(); }, true);
  const live = el => !el.closest('[data-stale="true"]');
  const errors = """ + ERRORS_ON_PAGE + """;
  let last = null, tick = 0;
  const timer = setInterval(() => {
    const main = document.querySelector('[data-testid=stMain]');
    if (!main || s.clicked === null) return;
    const now = wall();
    if (tick++ % 5 === 0) for (const text of errors()) if (!s.errors.includes(text)) s.errors.push(text);
    const bar = main.querySelector('[data-testid=stProgress]');
    const text = bar ? (live(bar) ? bar.innerText.trim() : last) : '';  // a stale bar is being redrawn
    if (text !== last) {
      s.texts.push([now - s.clicked, text]);
      last = text;
      if (s.texts.length > 400) s.texts.splice(50, 1);
    }
    const heading = [...main.querySelectorAll('h1, h2, h3, h4, h5, h6')]
      .some(h => live(h) && h.textContent.trim() === 'Accuracy');
    if (!heading) return;
    const charts = [...main.querySelectorAll('.js-plotly-plot')].filter(p => live(p) && p.querySelector('.main-svg'))
      .concat([...main.querySelectorAll('[data-testid=stBidiComponentIsolated]')]
        .filter(c => live(c) && c.shadowRoot && c.shadowRoot.querySelector('.panel canvas')));
    if (charts.length >= 2) {
      s.charted = now;
      const best = [...main.querySelectorAll('[data-testid=stMarkdownContainer]')]
        .find(m => live(m) && /Best/.test(m.innerText));
      s.headline = best ? best.innerText : '';
      for (const text of errors()) if (!s.errors.includes(text)) s.errors.push(text);
      clearInterval(timer);
    }
  }, 100);
}"""



def mid_query(i):
    """The i-th mid-size comparison: 30 runs on edge, 200 + i epochs."""
    return urllib.parse.urlencode([("dataset", "edge"), *[("arch", a) for a in MID_ARCHITECTURES],
                                   *[("act", a) for a in MID_ACTIVATIONS], *[("lr", lr) for lr in MID_LRS],
                                   ("epochs", str(200 + i))])


def visitors_for(kind, n, query=""):
    """[(kind, label, query)] for one scenario: "default" for the app's defaults, "mid" for mid-size."""
    if kind == "default":
        return [("default", "default", "")] * n
    if kind == "mixed":
        mids = [("mid", f"mid {i}", mid_query(i)) for i in range(n - n // 2)]
        defaults = [("default", "default", "")] * (n // 2)
        return [item for pair in zip(mids, defaults) for item in pair] + mids[len(defaults):]  # alternate
    return [("query", "query", query)] * n


# ----- the server and what it uses -----
class Server(harness.Server):
    """``benchmarks/timed_app.py`` (the app, writing an event log) on ``port``."""

    def __init__(self, port, log_dir):
        self.event_log = os.path.join(log_dir, f"events-{time.time_ns()}.jsonl")
        super().__init__("benchmarks/timed_app.py", port=port, env={"NN_LAB_EVENT_LOG": self.event_log})

    @property
    def pid(self):
        return self.process.pid

    def events(self):
        """The server's event log (benchmarks/timed_app.py): submits, finished trainings, polls, results."""
        if not os.path.exists(self.event_log):
            return []
        with open(self.event_log) as log:
            return [json.loads(line) for line in log if line.strip()]

    def trainings_done(self):
        """True once every comparison submitted for training so far has finished (None before any)."""
        events = self.events()
        started = {e["training"] for e in events if e["event"] == "submit" and e["how"] == "trained"}
        finished = {e["training"] for e in events if e["event"] == "finished"}
        return (started <= finished) if started else None


class Watch(threading.Thread):
    """Samples every 0.1 s: the resident memory of the server and its training workers (peak), and the CPU
    seconds of every process this script started, as "server" (the server and its children) or "client"
    (Chromium, the Playwright driver); renices the browser's renderer, zygote and GPU processes."""

    def __init__(self, server_pid, nice):
        super().__init__(daemon=True)
        self.me, self.server, self.nice = psutil.Process(), psutil.Process(server_pid), nice
        self.cpu = {}  # pid -> (kind, CPU seconds when last seen)
        self.kinds = {}  # pid -> process kind, looked up once
        self.peak = self.rss = 0
        self.worker_threads = 0
        self.running = True
        self.lock = threading.Lock()
        self.sample()

    def sample(self):
        try:
            server_tree = [self.server, *self.server.children(recursive=True)]
        except psutil.Error:
            server_tree = []
        server_pids = {p.pid for p in server_tree}
        rss = 0
        for process in server_tree:
            try:
                rss += process.memory_info().rss
                if process.pid != self.server.pid:
                    self.worker_threads = max(self.worker_threads, process.num_threads())
            except psutil.Error:
                pass
        with self.lock:
            self.rss, self.peak = rss, max(self.peak, rss)
            for process in self.me.children(recursive=True):
                try:
                    times = process.cpu_times()
                    if self.kinds.get(process.pid, "zygote") == "zygote":  # a renderer starts as a zygote
                        self.kinds[process.pid] = self._kind(process, server_pids)
                    kind = self.kinds[process.pid]
                    self.cpu[process.pid] = (kind, times.user + times.system)
                    if self.nice and kind in ("renderer", "zygote", "gpu-process") and process.nice() < self.nice:
                        process.nice(self.nice)
                except psutil.Error:
                    pass

    def _kind(self, process, server_pids):
        if process.pid == self.server.pid:
            return "streamlit"
        if process.pid in server_pids:
            return "worker"
        if "chrom" not in process.name():
            return "driver"  # Playwright's node driver
        return next((arg[7:] for arg in process.cmdline() if arg.startswith("--type=")), "browser")

    def totals(self):
        """CPU seconds so far: "server" (the Streamlit process and its workers), "client" (Chromium and the
        Playwright driver), "harness" (this script), and per kind of process (exited ones as last seen)."""
        with self.lock:
            totals = {"server": 0.0, "client": 0.0}
            for kind, seconds in self.cpu.values():
                totals["server" if kind in ("streamlit", "worker") else "client"] += seconds
                totals[kind] = totals.get(kind, 0.0) + seconds
        times = self.me.cpu_times()
        totals["harness"] = times.user + times.system
        machine = psutil.cpu_times()
        totals["machine"] = sum(machine) - machine.idle - getattr(machine, "iowait", 0.0)
        return totals

    def run(self):
        while self.running:
            self.sample()
            time.sleep(0.1)

    def stop(self):
        self.running = False
        self.join()
        self.sample()


# ----- one visitor -----
class Visitor:
    def __init__(self, index, kind, label, query, delay):
        self.index, self.kind, self.label, self.query, self.delay = index, kind, label, query, delay
        self.context = self.page = None
        self.page_errors, self.errors, self.texts = [], [], []
        self.plan = self.headline = ""
        self.expected_runs = self.runs = None
        self.statuses = {}
        self.ready_s = self.charts_s = None
        self.click_t = self.charts_t = None  # wall clock (the page's timeOrigin + now())
        self.expect_cached = False  # a default visitor on a warm server: never queued
        self.epochs = int(re.search(r"epochs=(\d+)", query).group(1)) if "epochs=" in query else 200
        # from the server's event log: this visitor's session, how the pool answered, when
        self.session = self.how = None
        self.submit_t = self.queued_t = self.trained_t = self.poll_t = self.accuracy_t = None

    async def open(self, browser, url, timeout):
        """Open the app (after ``delay``) in a context of its own and wait until its first script run ends."""
        await asyncio.sleep(self.delay)
        self.context = context = await browser.new_context(viewport=VIEWPORT)
        await context.route("**/*", lambda route: route.abort() if route.request.resource_type in BLOCKED
                            else route.continue_())
        self.page = page = await context.new_page()
        page.on("pageerror", lambda error: self.page_errors.append(str(error)[:300]))
        opened = time.perf_counter()
        try:
            await page.goto(f"{url}/?{self.query}" if self.query else url, timeout=timeout * 1000)
            sidebar = page.locator("[data-testid=stSidebar]")
            await sidebar.get_by_role("button", name="Run", exact=True).wait_for(timeout=timeout * 1000)
            await page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')",
                                         polling=100, timeout=timeout * 1000)
            self.ready_s = time.perf_counter() - opened
            plan = sidebar.get_by_text(re.compile(r"^\d+ runs? · "))
            self.plan = (await plan.first.inner_text()).strip() if await plan.count() else ""
            runs = re.match(r"(\d+) run", self.plan)
            self.expected_runs = int(runs.group(1)) if runs else None
        except Exception as error:  # noqa: BLE001 - a visitor whose page never came is a result
            self.errors.append(f"opening: {type(error).__name__}: {str(error).splitlines()[0][:200]}")
            return False
        return True

    async def press_run(self, timeout, delay=0.0):
        """After ``delay``, press the sidebar's Run and wait for the charts (or an error)."""
        await asyncio.sleep(delay)
        page, state = self.page, None
        try:
            await page.evaluate(PAGE_WATCH)
            clicked_at = time.perf_counter()
            await page.locator("[data-testid=stSidebar]").get_by_role("button", name="Run", exact=True).click(
                timeout=timeout * 1000)
            deadline = clicked_at + timeout
            await page.wait_for_function("window.__lab.charted !== null || window.__lab.errors.length > 0",
                                         polling=250, timeout=timeout * 1000)
            state = await page.evaluate("window.__lab")
            if state["charted"] is None:  # an error showed: give the charts a little longer to come anyway
                try:
                    await page.wait_for_function("window.__lab.charted !== null", polling=250,
                                                 timeout=max(1.0, min(10.0, deadline - time.perf_counter())) * 1000)
                except Exception:  # noqa: BLE001 - reported below
                    pass
                state = await page.evaluate("window.__lab")
        except Exception as error:  # noqa: BLE001 - a visitor who never saw charts is a result
            self.errors.append(f"{type(error).__name__}: {str(error).splitlines()[0][:200]}")
            try:
                state = await page.evaluate("window.__lab || null")
            except Exception:  # noqa: BLE001
                state = None
        if state:
            self.errors += state["errors"]
            self.texts = state["texts"]
            self.headline = state["headline"]
            if state["clicked"] is not None:
                self.click_t = state["clicked"] / 1000
            if state["charted"] is not None and state["clicked"] is not None:
                self.charts_t = state["charted"] / 1000
                self.charts_s = self.charts_t - self.click_t
        self._read_headline()

    async def visit(self, browser, url, timeout):
        """Open the app and press Run as soon as it is there."""
        if await self.open(browser, url, timeout):
            await self.press_run(timeout)

    async def last_look(self):
        """Errors that showed on the page after the charts (while other visitors' comparisons ran)."""
        try:
            for text in await self.page.evaluate(ERRORS_ON_PAGE):
                if text not in self.errors:
                    self.errors.append(f"later: {text}")
        except Exception as error:  # noqa: BLE001
            self.errors.append(f"last look: {type(error).__name__}")

    def _read_headline(self):
        match = re.search(r"(\d+) runs?((?: · \d+ [a-z]+)*)", self.headline)
        if match:
            self.runs = int(match.group(1))
            self.statuses = {status: int(n) for n, status in re.findall(r" · (\d+) ([a-z]+)", match.group(2))}

    def problems(self):
        """What went wrong for this visitor, as short texts."""
        problems = [f"page error: {e}" for e in self.page_errors] + [f"on the page: {e}" for e in self.errors]
        if self.charts_s is None:
            problems.append("no charts")
        elif self.expected_runs is not None and self.runs != self.expected_runs:
            problems.append(f"lost runs: {self.runs} of {self.expected_runs} in the results")
        lost = {status: n for status, n in self.statuses.items() if status in LOST}
        if lost:
            problems.append(f"lost runs: {lost}")
        problems += self.queue_problems()
        return problems

    def phases(self):
        """Where the click -> charts time went, in seconds, from the page's clock and the server's log (both
        wall clock): "to pool" (the click until the comparison reached the pool: the page sending it, the
        server starting the script run), "pool" (waiting in the queue and training; 0 from the cache),
        "poll" (trained until the page's next poll started on the server; none from the cache, whose
        results are drawn in the click's own script run), "drawing" (until the server drew the results'
        "Accuracy" heading, after the curves and boundaries) and "page" (until the page showed them)."""
        phases = {}
        if None in (self.click_t, self.submit_t):
            return phases
        phases["to pool"] = self.submit_t - self.click_t
        if self.trained_t is None:
            return phases
        phases["pool"] = self.trained_t - self.submit_t
        start = self.trained_t
        if self.poll_t is not None:
            phases["poll"] = self.poll_t - self.trained_t
            start = self.poll_t
        if self.accuracy_t is not None:
            phases["drawing"] = self.accuracy_t - start
            if self.charts_t is not None:
                phases["page"] = self.charts_t - self.accuracy_t
        return phases

    @property
    def server_s(self):
        """Click until the server had drawn the results (all but the page's own drawing)."""
        return None if None in (self.accuracy_t, self.click_t) else self.accuracy_t - self.click_t

    def queue_texts(self):
        """[(seconds after the click, comparisons ahead)] of the queue messages this visitor saw."""
        ahead = []
        for t, text in self.texts:
            match = re.search(r"(\d+) comparisons? of other visitors ahead", text)
            if match or "yours is next" in text:
                ahead.append((t / 1000, int(match.group(1)) if match else 0))
        return ahead

    def queue_problems(self):
        ahead = [n for _, n in self.queue_texts()]
        problems = []
        if self.expect_cached and any(text for _, text in self.texts):
            problems.append(f"queue: a cached comparison showed progress: {self.texts[:3]}")
        if any(later > earlier for earlier, later in zip(ahead, ahead[1:])):
            problems.append(f"queue: comparisons ahead grew: {ahead}")
        return problems

    def first_estimate(self):
        """The first "about N s left" this visitor saw after the click, and the plan's "about N s"."""
        for _, text in self.texts:
            match = re.search(r"about (\d+) s left", text)
            if match:
                return int(match.group(1))
        return None


# ----- one scenario -----
async def warm_up(browser, server, timeout=300):
    """The server as its first visitor leaves it: one page opened (the first script run starts the training
    pool, which trains the default comparison at once), then wait until that training has finished."""
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    await page.goto(server.url)
    await page.locator("[data-testid=stSidebar]").get_by_role("button", name="Run", exact=True).wait_for(
        timeout=timeout * 1000)
    await context.close()
    await settle(server, timeout)


async def settle(server, timeout=300):
    """Wait until every training submitted so far has finished."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if server.trainings_done():
            return
        await asyncio.sleep(0.25)
    raise SystemExit("the training pool was still busy after the warm-up")


def match_events(people, events):
    """Find each visitor in the server's log: their submit (the first one of their comparison after their
    click), its session, the end of that training, the session's first poll after it and the session's
    first "Accuracy" heading after the submit."""
    finished = {e["training"]: e["t"] for e in events if e["event"] == "finished"}
    submits = [e for e in events if e["event"] == "submit"]
    used = set()
    for person in sorted((p for p in people if p.click_t is not None), key=lambda p: p.click_t):
        for index, event in enumerate(submits):
            if index in used or event["t"] < person.click_t - 0.5 or \
                    (event["runs"], event["epochs"]) != (person.expected_runs, person.epochs):
                continue
            used.add(index)
            person.session, person.how, person.submit_t = event["session"], event["how"], event["t"]
            person.queued_t = event["answered"]  # in the pool's queue: its order is this, not the clicks'

            person.trained_t = event["answered"] if event["how"] == "cached" else finished.get(event["training"])
            break
        if person.session is None:
            continue
        mine = [e for e in events if e.get("session") == person.session]
        if person.how != "cached" and person.trained_t is not None:
            person.poll_t = next((e["t"] for e in mine if e["event"] == "poll" and e["t"] >= person.trained_t), None)
        person.accuracy_t = next((e["t"] for e in mine if e["event"] == "accuracy" and e["t"] >= person.submit_t),
                                 None)


async def scenario(playwright, args, name, visitors, start, one_by_one=False):
    """One fresh server, one browser, ``visitors`` [(kind, label, query)] (``one_by_one``: each arrives
    when the one before has their charts); returns a dict of results."""
    load_before = os.getloadavg()
    server = Server(args.port, args.log_dir)
    watch = Watch(server.pid, args.client_nice)
    watch.start()
    browser = await playwright.chromium.launch(executable_path=harness.CHROMIUM,
                                               args=[*harness.CHROMIUM_ARGS, "--disable-extensions", "--mute-audio"])
    try:
        first = None
        if start in ("warm", "cached"):
            await warm_up(browser, server)
        if start == "cached":  # one visitor presses Run on the defaults first: the result cache holds them
            first = Visitor(-1, "default", "first", "", 0.0)
            await first.visit(browser, server.url, args.timeout)
        cpu_before = opening_before = watch.totals()
        rss_before = watch.rss
        pages_cpu = opening = None
        people = [Visitor(i, kind, label, query, 0.0 if one_by_one else args.spread * i / len(visitors))
                  for i, (kind, label, query) in enumerate(visitors)]
        for person in people:
            person.expect_cached = start == "cached" and person.kind == "default"
        started = time.perf_counter()
        if one_by_one:
            for person in people:
                await person.visit(browser, server.url, args.timeout)
        elif start == "cold":  # each presses Run as soon as their page is there
            await asyncio.gather(*(p.visit(browser, server.url, args.timeout) for p in people))
        else:  # everyone has the app open, then they press Run over ``spread`` seconds
            opened = await asyncio.gather(*(p.open(browser, server.url, args.timeout) for p in people))
            pages_cpu = watch.totals()
            opening = time.perf_counter() - started
            if start in ("warm", "cached"):
                await settle(server)
            cpu_before, started = watch.totals(), time.perf_counter()
            await asyncio.gather(*(p.press_run(args.timeout, args.spread * i / len(people))
                                   for i, p in enumerate(people) if opened[i]))
        wall = time.perf_counter() - started
        cpu_after = watch.totals()
        for person in people + ([first] if first else []):
            if person.page is not None:
                await person.last_look()
            await person.context.close()
    finally:
        await browser.close()
        watch.stop()
        server.stop()
    match_events(people + ([first] if first else []), server.events())
    cpu = {group: cpu_after[group] - cpu_before.get(group, 0.0) for group in cpu_after}
    opening_cpu = pages_cpu and {group: pages_cpu[group] - opening_before.get(group, 0.0) for group in pages_cpu}
    return {"name": name, "start": start, "visitors": people, "first": first, "wall": wall, "cpu": cpu,
            "peak_rss": watch.peak, "rss_before": rss_before, "worker_threads": watch.worker_threads,
            "opening": (opening, opening_cpu), "tracebacks": server.tracebacks(),
            "load": (load_before, os.getloadavg()), "log": server.log_path}


# ----- the report -----
def seconds(values):
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    return f"{statistics.median(values):.1f} / {max(values):.1f} s"


def phase_medians(people):
    """Median seconds of each phase over ``people``: "to pool 0.1 + pool 0.0 + drawing 1.2 + page 0.8"."""
    names = ["to pool", "pool", "poll", "drawing", "page"]
    values = {name: [p.phases()[name] for p in people if name in p.phases()] for name in names}
    return " + ".join(f"{name} {statistics.median(values[name]):.1f}" for name in names if values[name])


def summarize(result, alone):
    people = result["visitors"]
    default = [p for p in people if p.kind == "default"]
    others = [p for p in people if p.kind != "default"]
    row = {"visitors": len(people), "scenario": result["name"], "start": result["start"]}
    row["default"] = (f"{seconds(p.charts_s for p in default)} (server {seconds(p.server_s for p in default)}; "
                      f"{phase_medians(default)})" if default else "-")
    if others:
        text = (f"{seconds(p.charts_s for p in others)} (server {seconds(p.server_s for p in others)}; "
                f"{phase_medians(others)})")
        ratios = [p.charts_s / alone[p.query][0] for p in others if p.charts_s and alone.get(p.query, [None])[0]]
        server = [p.server_s / alone[p.query][1] for p in others if p.server_s and alone.get(p.query, [0, None])[1]]
        if ratios:
            text += f"; x alone {statistics.median(ratios):.1f} / {max(ratios):.1f}"
        if server:
            text += f" (server {statistics.median(server):.1f} / {max(server):.1f})"
        row["mid"] = text
    else:
        row["mid"] = "-"
    row["rss"] = f"{result['peak_rss'] / 2**20:.0f} MB"
    cpu = result["cpu"]
    client = cpu["client"] + cpu["harness"]
    others = max(0.0, cpu["machine"] - cpu["server"] - client)
    row["cpu"] = (f"server {cpu['server']:.0f} s, clients {client:.0f} s, others {others:.0f} s "
                  f"(of {CORES * result['wall']:.0f} core-s in {result['wall']:.0f} s)")
    problems = [f"{p.label} #{p.index}: {problem}" for p in people for problem in p.problems()]
    for p in people:  # "N comparisons ahead" counts only distinct comparisons that reached the pool first
        ahead = [n for _, n in p.queue_texts()]
        earlier = {q.query for q in people if q.query != p.query and q.how in ("trained", "shared")
                   and q.queued_t and p.queued_t and q.queued_t < p.queued_t}  # the pool's order
        if ahead and max(ahead) > len(earlier):
            problems.append(f"{p.label} #{p.index}: queue: {max(ahead)} comparisons ahead, but only "
                            f"{len(earlier)} other comparisons were asked for before")
    problems += [f"server log: {line}" for line in result["tracebacks"]]
    row["errors"] = str(len(problems)) if problems else "none"
    row["load"] = " -> ".join(f"{load[0]:.1f}" for load in result["load"])
    return row, problems


def print_details(result, alone):
    row, problems = summarize(result, alone)
    print(f"\n{row['visitors']} visitors, {row['scenario']}, {row['start']} start "
          f"(load {row['load']}; server log {result['log']})", flush=True)
    first = result["first"]
    if first is not None:
        print(f"  before them, one visitor pressed Run on the defaults: click -> charts {_s(first.charts_s)} "
              f"(server part {_s(first.server_s)})", flush=True)
    opening, opening_cpu = result["opening"]
    if opening is not None:
        ready = [p.ready_s for p in result["visitors"] if p.ready_s is not None]
        print(f"  opening the app: every page ready {opening:.0f} s after the first opened (each page "
              f"{min(ready):.1f}-{max(ready):.1f} s); CPU meanwhile: server {opening_cpu['server']:.0f} s, clients "
              f"{opening_cpu['client'] + opening_cpu['harness']:.0f} s; the Run presses came after", flush=True)
    trained = [p for p in result["visitors"] if p.kind == "default" and any(text for _, text in p.texts)]
    if trained:
        print(f"  {len(trained)} of {sum(p.kind == 'default' for p in result['visitors'])} default visitors saw "
              "a progress bar (their comparison was not in the cache)", flush=True)
    for p in result["visitors"]:
        ratio = (f"; x{p.charts_s / alone[p.query][0]:.1f} alone (server x{p.server_s / alone[p.query][1]:.1f})"
                 if p.kind != "default" and p.charts_s and p.server_s and all(alone.get(p.query, [None]))
                 else "")
        queue = p.queue_texts()
        estimate = p.first_estimate()
        print(f"  #{p.index:<2} {p.label:8} page ready {p.ready_s or 0:5.1f} s; sidebar '{p.plan}'; "
              f"click -> charts {_s(p.charts_s)} (server part {_s(p.server_s)}{ratio}); "
              f"results: {p.runs} runs {p.statuses or ''}"
              + (f"; {p.how} in the pool; " + ", ".join(f"{k} {v:.1f}" for k, v in p.phases().items())
                 if p.how else "")
              + (f"; queue: ahead {[n for _, n in queue][:1]}..{[n for _, n in queue][-1:]}" if queue else "")
              + (f"; first 'left' estimate {estimate} s" if estimate is not None else ""), flush=True)
    print(f"  server: peak RSS {result['peak_rss'] / 2**20:.0f} MB (before the visitors "
          f"{result['rss_before'] / 2**20:.0f} MB; the Streamlit process plus its training workers); "
          f"most threads in a worker process: {result['worker_threads']}", flush=True)
    kinds = ", ".join(f"{kind} {cpu:.0f} s" for kind, cpu in sorted(result["cpu"].items(), key=lambda x: -x[1])
                      if kind not in ("server", "client", "machine") and cpu >= 0.5)
    print(f"  CPU from the first Run to the last charts: {row['cpu']}; by process: {kinds}", flush=True)
    for problem in problems:
        print(f"  PROBLEM {problem}", flush=True)
    return row


def _s(value):
    return "-" if value is None else f"{value:.2f} s"


def print_table(rows):
    header = ["visitors", "scenario", "start", "default: median / worst click->charts",
              "own comparison: median / worst", "server peak RSS", "CPU", "errors", "load"]
    keys = ["visitors", "scenario", "start", "default", "mid", "rss", "cpu", "errors", "load"]
    print("\n| " + " | ".join(header) + " |\n|" + " --- |" * len(header))
    for row in rows:
        print("| " + " | ".join(str(row[key]) for key in keys) + " |")


def to_json(result):
    def visitor(p):
        return None if p is None else {**{k: v for k, v in vars(p).items() if k not in ("context", "page")},
                                        "server_s": p.server_s, "phases": p.phases(), "problems": p.problems()}
    return {**{k: v for k, v in result.items() if k not in ("visitors", "first")},
            "first": visitor(result["first"]), "visitors": [visitor(p) for p in result["visitors"]]}


async def main_async(args):
    os.makedirs(args.log_dir, exist_ok=True)
    # kill(1) stops the benchmark cleanly: every server and browser it started ends with it
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, asyncio.current_task().cancel)
    print(f"cores: {CORES}; training workers: one per core, one BLAS thread each (threadpoolctl, by design); "
          f"load before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    print(f"clients: one headless Chromium, a context per visitor, images/fonts/media blocked, "
          f"{VIEWPORT['width']}x{VIEWPORT['height']}, renderers at nice +{args.client_nice}; "
          f"visitors open the app over {args.spread:g} s", flush=True)
    rows, results, alone = [], [], {}
    async with async_playwright() as playwright:
        if args.query is None and args.alone:
            # one warm server, one visitor at a time: the default comparison, then each mid-size one (all
            # distinct, so none comes from the cache)
            n_mid = max(n - n // 2 for n in args.visitors) if "mixed" in args.scenarios else 0
            queries = [("default", "default", "")] + [("mid", f"mid {i}", mid_query(i)) for i in range(n_mid)]
            result = await scenario(playwright, args, "alone", queries, "cached", one_by_one=True)
            alone = {p.query: (p.charts_s, p.server_s) for p in result["visitors"]}
            print(f"\nalone: one visitor at a time on one warm server (load {result['load'][0][0]:.1f} -> "
                  f"{result['load'][1][0]:.1f})", flush=True)
            for p in result["visitors"]:
                print(f"  {p.label:8} click -> charts {_s(p.charts_s)} (server part {_s(p.server_s)}); "
                      f"{p.runs} runs; problems: {p.problems() or 'none'}", flush=True)
            results.append(to_json(result))
        for n in args.visitors:
            for kind in (["query"] if args.query is not None else args.scenarios):
                for start in args.start:
                    result = await scenario(playwright, args, kind, visitors_for(kind, n, args.query), start)
                    rows.append(print_details(result, alone))
                    results.append(to_json(result))
    print_table(rows)
    print(f"\nload after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"rows": rows, "scenarios": results}, out, indent=1, default=str)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, nargs="+", default=[5, 10, 20])
    parser.add_argument("--sessions", type=int, help="the old form of --visitors: one number")
    parser.add_argument("--scenarios", nargs="+", choices=["default", "mixed"], default=["default", "mixed"])
    parser.add_argument("--start", nargs="+", choices=["cold", "warm", "cached"], default=["warm"])
    parser.add_argument("--query", default=None, help='every visitor opens this URL query ("caps": 192 runs)')
    parser.add_argument("--spread", type=float, default=3.0, help="seconds over which the visitors open the app")
    parser.add_argument("--client-nice", type=int, default=10, help="niceness of the browser's renderers (0: off)")
    parser.add_argument("--no-alone", dest="alone", action="store_false",
                        help="skip timing each mid-size comparison alone")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds a visitor waits for charts")
    parser.add_argument("--port", type=int, default=8650)
    parser.add_argument("--json", help="write every visitor's numbers to this file")
    parser.add_argument("--log-dir", default=os.path.join(tempfile.gettempdir(), "bench_app"))
    args = parser.parse_args()
    if args.sessions:
        args.visitors = [args.sessions]
    if args.query == "caps":
        args.query = AT_CAPS
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
