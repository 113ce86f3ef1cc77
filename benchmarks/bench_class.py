"""A class opens the app, with the browsers left out: what the server makes each visitor wait.

    python benchmarks/bench_class.py [--visitors 5 10 20] [--scenarios default mixed] [--port 8670]

bench_app.py drives real pages in Chromium on the same two cores as the server, and the pages' own
drawing took 70-90% of the CPU there. In a class, each student's browser runs on their own laptop. So
here every visitor is a *protocol-level* client: a websocket speaking Streamlit's own messages
(``BackMsg``/``ForwardMsg``), as the page does, with no rendering. It asks for the page, presses Run (the
sidebar button's trigger, sent as the page sends it), reruns the page's fragments when the server asks
(``auto_rerun``: the progress bar and live view twice a second, as a page's timers do), sends back
every widget's value with every rerun, as a page does (without them Streamlit takes a widget back to its
default: an empty epochs field) and waits until one
script run has sent the results: the "Accuracy" heading and at least two Plotly charts. A client costs
almost no CPU (reported), so the figures are the server's: its script runs, the training pool and the
Python process drawing every visitor's figures.

Scenarios, each on a fresh server that has trained the comparison it preloads (as after its first
visitor): "default", every visitor presses Run on the defaults; "mixed", half on the defaults and half on
a 30-run comparison of their own (bench_app.py's ``mid_query``: edge, 3 architectures x relu and tanh x 5
learning rates, 200 + i epochs). Every 30-run comparison is also timed alone first. With
``--queue-estimates 1 2 4``, instead: a visitor opens the app while that many 30-run comparisons of others
are queued or training, and the estimate their sidebar shows is set against what they then wait. The visitors open the
app over ``--spread`` seconds, then press Run over ``--spread`` seconds. Reported per scenario: click ->
charts (median, worst) for each kind of visitor, the estimate the sidebar showed before Run, peak memory
of the server with its training workers (psutil, summed), errors (an exception element, an error alert, a
Traceback in the server's log), runs lost (the headline must count the runs the sidebar announced), and
the CPU of the server and of the clients. The server runs with XSRF protection off: these clients carry
no browser cookie.
"""
import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

import psutil
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_app import mid_query  # noqa: E402  (the same 30-run comparisons)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


class Server:
    """``streamlit run streamlit_app.py``, its output in a log file; its peak memory with its workers."""

    def __init__(self, port):
        self.port = port
        self.log_path = f"/tmp/bench_class-{port}-{time.time_ns()}.log"
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--server.enableXsrfProtection", "false"],
            cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(600):
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.1)
        self.peak_rss, self.cpu_start = 0, None
        self._sampling = True
        threading.Thread(target=self._sample, daemon=True).start()

    def tree(self):
        root = psutil.Process(self.process.pid)
        return [root, *root.children(recursive=True)]

    def _sample(self):
        while self._sampling:
            try:
                self.peak_rss = max(self.peak_rss, sum(p.memory_info().rss for p in self.tree()))
            except psutil.Error:
                pass
            time.sleep(0.1)

    def cpu_seconds(self):
        total = 0.0
        for process in self.tree():
            try:
                times = process.cpu_times()
                total += times.user + times.system
            except psutil.Error:
                pass
        return total

    def tracebacks(self):
        with open(self.log_path) as log:
            return log.read().count("Traceback")

    def stop(self):
        self._sampling = False
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Visitor:
    """One Streamlit session over a websocket, without a browser."""

    def __init__(self, port, query=""):
        self.url, self.query = f"ws://127.0.0.1:{port}/_stcore/stream", query
        self.page_hash, self.run_button, self.fragments, self.states = "", None, {}, {}
        self.sidebar_estimate, self.headline, self.errors = None, None, []
        self.clicked = self.charted = None

    async def open(self):
        self.ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None)
        self.reader = asyncio.create_task(self._read())
        await self._rerun()

    async def _rerun(self, widgets=(), fragment_id="", auto=False):
        message = BackMsg()
        state = message.rerun_script
        state.query_string, state.page_script_hash = self.query, self.page_hash
        state.fragment_id, state.is_auto_rerun = fragment_id, auto
        for widget in widgets:
            state.widget_states.widgets.append(widget)
        for widget_id, (field, value) in self.states.items():  # as a page does: every widget's value
            widget = state.widget_states.widgets.add(id=widget_id)
            if field.endswith("array_value"):
                getattr(widget, field).data.extend(value)
            else:
                setattr(widget, field, int(value) if field == "int_value" else value)
        await self.ws.send(message.SerializeToString())

    async def press_run(self):
        while self.run_button is None:
            await asyncio.sleep(0.05)
        message = BackMsg().rerun_script.widget_states.widgets.add()
        message.id, message.trigger_value = self.run_button, True
        self.clicked = time.perf_counter()
        await self._rerun([message])

    async def _keep_fragment(self, fragment_id, interval):
        """What a page's timer does: rerun the fragment every ``interval`` seconds until told to stop."""
        while self.fragments.get(fragment_id) == interval:
            await asyncio.sleep(interval)
            if self.fragments.get(fragment_id) == interval:
                await self._rerun(fragment_id=fragment_id, auto=True)

    async def _read(self):
        accuracy, charts = False, 0
        async for data in self.ws:
            message = ForwardMsg()
            message.ParseFromString(data)
            kind = message.WhichOneof("type")
            if kind == "new_session":
                self.page_hash = message.new_session.page_script_hash
                accuracy, charts = False, 0
            elif kind == "auto_rerun":
                fragment, interval = message.auto_rerun.fragment_id, message.auto_rerun.interval
                if self.fragments.get(fragment) != interval:
                    self.fragments[fragment] = interval
                    asyncio.create_task(self._keep_fragment(fragment, interval))
            elif kind == "stop_auto_rerun":
                self.fragments.clear()
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                element = message.delta.new_element
                what = element.WhichOneof("type")
                self._remember(what, getattr(element, what))
                if what == "button" and element.button.id.endswith("-run"):
                    self.run_button = element.button.id
                elif what == "markdown" and self.clicked is None and " runs" in element.markdown.body[:40]:
                    self.sidebar_estimate = element.markdown.body
                elif what == "markdown" and self.clicked is not None and re.search(r"\d+ runs?\b", element.markdown.body):
                    self.headline = element.markdown.body
                elif what == "heading" and element.heading.body == "Accuracy":
                    accuracy = True
                elif what in ("plotly_chart", "bidi_component"):  # a Plotly chart or the canvas renderer's view
                    charts += 1
                elif what == "exception" or (what == "alert" and element.alert.format == 1):  # 1: ERROR
                    self.errors.append(element.exception.message if what == "exception" else element.alert.body)
            elif kind == "script_finished" and accuracy and charts >= 2 and self.clicked and self.charted is None:
                self.charted = time.perf_counter()

    def _remember(self, what, widget):
        """The value a page would send back for this widget: what the server set, else what it had, else
        the widget's default (the sidebar's widgets; the others keep their defaults)."""
        kept = self.states.get(getattr(widget, "id", None), (None, None))[1]
        if what == "text_input":
            value = widget.value if widget.set_value else kept if kept is not None else widget.default
            self.states[widget.id] = ("string_value", value)
        elif what == "selectbox":
            value = widget.raw_value if widget.set_value else kept if kept is not None else widget.options[widget.default]
            self.states[widget.id] = ("string_value", value)
        elif what == "multiselect":
            value = list(widget.raw_values) if widget.set_value else kept if kept is not None else \
                [widget.options[i] for i in widget.default]
            self.states[widget.id] = ("string_array_value", value)
        elif what == "number_input":
            value = widget.value if widget.set_value else kept if kept is not None else widget.default
            self.states[widget.id] = ("int_value" if widget.data_type == 0 else "double_value", value)
        elif what == "slider":
            value = list(widget.value) if widget.set_value else kept if kept is not None else list(widget.default)
            self.states[widget.id] = ("double_array_value", value)
        elif what == "checkbox":
            value = widget.value if widget.set_value else kept if kept is not None else widget.default
            self.states[widget.id] = ("bool_value", value)

    async def wait_charted(self, timeout):
        deadline = time.perf_counter() + timeout
        while self.charted is None and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
        return None if self.charted is None else self.charted - self.clicked

    async def close(self):
        self.fragments.clear()
        self.reader.cancel()
        await self.ws.close()


def expected_runs(estimate):
    match = re.search(r"(\d+) runs?", estimate or "")
    return int(match.group(1)) if match else None


async def visit_all(port, queries, spread, timeout):
    visitors = [Visitor(port, query) for query in queries]
    for visitor in visitors:
        await visitor.open()
        await asyncio.sleep(spread / len(visitors))
    while any(visitor.run_button is None for visitor in visitors):
        await asyncio.sleep(0.05)
    await asyncio.sleep(1.0)  # every first script run finished: the sidebars' estimates are there
    for visitor in visitors:
        await visitor.press_run()
        await asyncio.sleep(spread / len(visitors))
    waits = [await visitor.wait_charted(timeout) for visitor in visitors]
    for visitor in visitors:
        await visitor.close()
    return visitors, waits


def run_scenario(port, queries, spread, timeout):
    """A fresh server, warmed by one visitor (the preload trained), then the class."""
    server = Server(port)
    try:
        warm = Visitor(port)

        async def warm_up():
            await warm.open()
            while warm.sidebar_estimate is None or "ready at once" not in warm.sidebar_estimate:
                await warm.close()
                await asyncio.sleep(0.5)
                await warm.open()
                await asyncio.sleep(0.5)
            await warm.close()

        asyncio.run(warm_up())
        clients, cpu_before = psutil.Process(), server.cpu_seconds()
        client_before = sum(clients.cpu_times()[:2])
        started = time.perf_counter()
        visitors, waits = asyncio.run(visit_all(port, queries, spread, timeout))
        wall = time.perf_counter() - started
        return {"visitors": visitors, "waits": waits, "peak_rss": server.peak_rss,
                "server_cpu": server.cpu_seconds() - cpu_before, "client_cpu": sum(clients.cpu_times()[:2]) - client_before,
                "wall": wall, "tracebacks": server.tracebacks()}
    finally:
        server.stop()


def estimate_in_a_queue(port, ahead, timeout):
    """A visitor who opens the app while ``ahead`` 30-run comparisons of others are queued or training:
    (the estimate their sidebar showed, in seconds, and their click -> charts)."""
    server = Server(port)
    try:
        async def scene():
            others = [Visitor(port, mid_query(i)) for i in range(ahead)]
            for other in others:
                await other.open()
            for other in others:
                await other.press_run()
            await asyncio.sleep(0.5)
            late = Visitor(port, mid_query(ahead))
            await late.open()
            while late.run_button is None or late.sidebar_estimate is None:
                await asyncio.sleep(0.05)
            await late.press_run()
            wait = await late.wait_charted(timeout)
            for visitor in [*others, late]:
                await visitor.close()
            said = re.search(r"about (<?\d+) s", late.sidebar_estimate)
            return said.group(1) if said else late.sidebar_estimate, wait

        return asyncio.run(scene())
    finally:
        server.stop()


def describe(waits):
    done = [w for w in waits if w is not None]
    if not done:
        return "none charted"
    missing = len(waits) - len(done)
    return f"{statistics.median(done):.2f} / {max(done):.2f} s" + (f" ({missing} never charted)" if missing else "")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, nargs="+", default=[5, 10, 20])
    parser.add_argument("--scenarios", nargs="+", choices=["default", "mixed"], default=["default", "mixed"])
    parser.add_argument("--spread", type=float, default=3.0, help="seconds over which visitors open, then press Run")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--port", type=int, default=8670)
    parser.add_argument("--no-alone", action="store_true", help="skip timing each 30-run comparison alone")
    parser.add_argument("--queue-estimates", type=int, nargs="*", metavar="AHEAD",
                        help="instead: a visitor opens the app with this many 30-run comparisons of others "
                             "ahead; compare the sidebar's estimate with their wait")
    args = parser.parse_args()
    print(f"cores: {psutil.cpu_count()}; load before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}; "
          "training workers: one per core, one BLAS thread each; clients: websockets, no browser")
    n_mid = max(n - n // 2 for n in args.visitors) if "mixed" in args.scenarios and not args.queue_estimates else 0
    alone = {}
    if n_mid and not args.no_alone:
        for i in range(n_mid):
            result = run_scenario(args.port, [mid_query(i)], 0.1, args.timeout)
            alone[i] = result["waits"][0]
        print("alone, each 30-run comparison on its own server: " + ", ".join(
            f"{wait:.2f} s" if wait else "never" for wait in alone.values()))
    if args.queue_estimates:
        for ahead in args.queue_estimates:
            said, wait = estimate_in_a_queue(args.port, ahead, args.timeout)
            print(f"opened with {ahead} comparison(s) of others ahead: the sidebar said about {said} s; "
                  f"click -> charts {wait:.1f} s" if wait else "never charted", flush=True)
        return
    rows = []
    for n in args.visitors:
        for scenario in args.scenarios:
            kinds = ["default"] * n if scenario == "default" else \
                [("mid", i // 2) if i % 2 == 0 else "default" for i in range(n)]
            queries = [mid_query(kind[1]) if kind != "default" else "" for kind in kinds]
            result = run_scenario(args.port, queries, args.spread, args.timeout)
            defaults = [w for kind, w in zip(kinds, result["waits"]) if kind == "default"]
            mids = [(kind[1], w) for kind, w in zip(kinds, result["waits"]) if kind != "default"]
            lost = sum(1 for v in result["visitors"] if v.charted and expected_runs(v.headline) != expected_runs(v.sidebar_estimate))
            errors = sum(len(v.errors) for v in result["visitors"]) + result["tracebacks"]
            estimates = sorted({v.sidebar_estimate.split("·", 1)[-1].strip() for v, kind in zip(result["visitors"], kinds)
                                if kind != "default" and v.sidebar_estimate})
            mid_text = "-"
            if mids:
                mid_text = describe([w for _, w in mids])
                ratios = [w / alone[i] for i, w in mids if w and alone.get(i)]
                if ratios:
                    mid_text += f", {statistics.median(ratios):.1f}x / {max(ratios):.1f}x alone"
                mid_text += f"; estimate shown: {', '.join(estimates)}"
            rows.append(f"| {n} | {scenario} | {describe(defaults)} | {mid_text} | {result['peak_rss'] / 1e6:.0f} MB | "
                        f"server {result['server_cpu']:.0f} s, clients {result['client_cpu']:.1f} s in {result['wall']:.0f} s | "
                        f"{errors} | {lost} |")
            print(rows[-1], flush=True)
            for visitor in result["visitors"]:
                for error in visitor.errors[:2]:
                    print(f"  error shown to a visitor: {error[:200]!r}")
    print("\n| visitors | scenario | defaults: click -> charts, median / worst | own 30 runs: click -> charts | "
          "peak memory | CPU | errors | runs lost |\n| --- | --- | --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))
    print(f"load after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
