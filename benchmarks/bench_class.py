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
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse

import psutil

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks.bench_app import mid_query  # noqa: E402  (the same 30-run comparisons)
from benchmarks import harness  # noqa: E402
from benchmarks.harness import Server as _Server  # noqa: E402
from benchmarks.visitor import Visitor  # noqa: E402


def Server(port, env=None):
    """The app with XSRF protection off (these clients carry no browser cookie), its peak memory sampled."""
    return _Server(port=port, args=["--server.enableXsrfProtection", "false"], sample=True, env=env)


HUNDRED = urllib.parse.urlencode([("dataset", "edge"), ("epochs", "100"), ("seeds", "2"),
                                  *[("arch", a) for a in ("[25, 4, 2]", "[25, 8, 2]", "[25, 12, 6, 2]",
                                                          "[25, 16, 8, 2]", "[25, 32, 16, 2]")],
                                  *[("act", a) for a in ("relu", "tanh")],
                                  *[("lr", lr) for lr in ("0.5", "0.2", "0.1", "0.05", "0.01")]])  # 100 runs


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
                "wall": wall, "tracebacks": len(server.tracebacks())}
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


def results_link_class(port, visitors, timeout, restart=False, settled=False):
    """A teacher trains a 100-run comparison and copies "Link to these results"; then ``visitors`` students
    open it within a second of each other. Their times from opening the page to the charts and the table
    (no click). With ``restart``, the server is restarted on the same store between the two: the students'
    results come from the store, not from memory; they come as soon as a first visitor has had a page (the
    pool's workers still starting and training the default comparison) or, with ``settled``, once the
    server is idle."""
    data = tempfile.mkdtemp(prefix="bench-class-store-")
    server = Server(port, env={"NN_LAB_DATA_DIR": data})

    async def teach():
        teacher = Visitor(port, HUNDRED)
        await teacher.open()
        while teacher.run_button is None:
            await asyncio.sleep(0.05)
        await teacher.press_run()
        await teacher.wait_charted(timeout)
        while not any("results=" in code for code in teacher.codes):
            await asyncio.sleep(0.05)
        await teacher.close()
        return next(code for code in teacher.codes if "results=" in code).split("?", 1)[1]

    try:
        query = asyncio.run(teach())
        if restart:  # once the store's writer thread has written it (about a second), a new server
            from experiments.store import ResultStore
            store, key = ResultStore(f"sqlite:///{data}/results.sqlite"), urllib.parse.parse_qs(query)["results"][0]
            harness.wait_until(lambda: store.contains(key), timeout, 0.2, "the comparison in the store")
            store.close()
            server.stop()
            server = Server(port, env={"NN_LAB_DATA_DIR": data})

            async def warm():  # a first visitor on the defaults: the server's imports, its pool, its start-up
                first = Visitor(port)
                await first.open()
                while first.first_page is None:
                    await asyncio.sleep(0.05)
                await first.close()

            asyncio.run(warm())
            if settled:  # the workers started and the default comparison trained: under 5% of a core for 1 s
                def idle():
                    before = server.cpu_seconds()
                    time.sleep(1.0)
                    return server.cpu_seconds() - before < 0.05
                harness.wait_until(idle, timeout, 0.0, "the server to be idle")

        async def scene():
            students = [Visitor(port, query) for _ in range(visitors)]
            for student in students:
                await student.open()
                await asyncio.sleep(1.0 / visitors)
            deadline = time.perf_counter() + timeout
            while any(s.shown is None for s in students) and time.perf_counter() < deadline:
                await asyncio.sleep(0.05)
            for student in students:
                await student.close()
            return [student.shown for student in students]

        return asyncio.run(scene()), server.peak_rss
    finally:
        server.stop()
        shutil.rmtree(data, ignore_errors=True)


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
    parser.add_argument("--results-link", action="store_true",
                        help="instead: a teacher's results link opened by --visitors students at once")
    parser.add_argument("--queue-estimates", type=int, nargs="*", metavar="AHEAD",
                        help="instead: a visitor opens the app with this many 30-run comparisons of others "
                             "ahead; compare the sidebar's estimate with their wait")
    args = parser.parse_args()
    print(f"cores: {psutil.cpu_count()}; load before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}; "
          "training workers: one per core, one BLAS thread each; clients: websockets, no browser")
    n_mid = max(n - n // 2 for n in args.visitors) \
        if "mixed" in args.scenarios and not args.queue_estimates and not args.results_link else 0
    alone = {}
    if n_mid and not args.no_alone:
        for i in range(n_mid):
            result = run_scenario(args.port, [mid_query(i)], 0.1, args.timeout)
            alone[i] = result["waits"][0]
        print("alone, each 30-run comparison on its own server: " + ", ".join(
            f"{wait:.2f} s" if wait else "never" for wait in alone.values()))
    if args.results_link:
        for n in args.visitors:
            for restart, settled, when in ((False, False, ""), (True, False, " right after a restart"),
                                           (True, True, " after a restart, once the server is idle")):
                shown, peak = results_link_class(args.port, n, args.timeout, restart, settled)
                print(f"{n} students open one results link to 100 runs{when}: open -> charts and table "
                      f"{describe(shown)}; peak memory {peak / 1e6:.0f} MB", flush=True)
        return
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
