"""A long queue: N visitors (websockets, no browser) each press Run on a long comparison of their own and
keep their pages open, as a class does; then a newcomer opens the app. Reported: the newcomer's first page
(open -> the end of its first script run; target 3 s with 30 waiting), how often the waiting visitors'
progress bars were redrawn, the server's CPU, and after they all leave, how long until the workers are idle
and how much memory the server keeps a minute later (target under 500 MB).

    python benchmarks/bench_queue.py [--waiting 30] [--newcomers 3]
"""
import argparse
import asyncio
import os
import statistics
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks.harness import Server  # noqa: E402
from benchmarks.visitor import Visitor  # noqa: E402


def long_query(k):
    """A comparison of its own for visitor k, tens of seconds of one worker's time."""
    return urllib.parse.urlencode([("dataset", "circles"), ("circles.n", "1500"), ("arch", "[2, 16, 8, 2]"),
                                   ("epochs", "2000"), ("lr", f"{0.01 + 0.001 * k:g}")])


async def until(condition, timeout):
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return condition()


async def scene(server, waiting, newcomers):
    visitors = []
    for k in range(waiting):
        visitor = Visitor(server.port, long_query(k))
        await visitor.open()
        await until(lambda: visitor.run_button is not None, 60)
        await visitor.press_run()
        visitors.append(visitor)
    await until(lambda: all(v.progress for v in visitors), 120)
    seen = {id(v): v.progress for v in visitors}
    cpu, started = server.cpu_seconds(children=False), time.monotonic()
    firsts = []
    for _ in range(newcomers):
        newcomer = Visitor(server.port)
        await newcomer.open()
        ready = await until(lambda: newcomer.first_page is not None, 300)
        firsts.append(newcomer.first_page if ready else None)
        await newcomer.close()
        await asyncio.sleep(1.0)
    # progress redraws of the waiting visitors over 10 s (the bar's text carries the seconds waited)
    counts = {id(v): 0 for v in visitors}
    end = time.monotonic() + 10
    while time.monotonic() < end:
        for v in visitors:
            if v.progress != seen[id(v)]:
                counts[id(v)] += 1
                seen[id(v)] = v.progress
        await asyncio.sleep(0.05)
    server_cpu = (server.cpu_seconds(children=False) - cpu) / (time.monotonic() - started)
    for v in visitors:
        await v.close()
    closed = time.monotonic()
    return firsts, counts, server_cpu, closed


def workers_busy(server):
    workers = server.tree()[1:]
    before = sum(sum(p.cpu_times()[:2]) for p in workers)
    time.sleep(0.3)
    return sum(sum(p.cpu_times()[:2]) for p in workers) - before > 0.015


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waiting", type=int, default=30)
    parser.add_argument("--newcomers", type=int, default=3)
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"bench_queue: {args.waiting} visitors waiting; load before {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
          "training workers: one per core, one BLAS thread each")
    with Server(args=["--server.enableXsrfProtection", "false"], sample=True) as server:
        firsts, counts, server_cpu, closed = asyncio.run(scene(server, args.waiting, args.newcomers))
        while workers_busy(server) and time.monotonic() - closed < 120:
            pass
        idle_after = time.monotonic() - closed
        time.sleep(max(0.0, 60 - (time.monotonic() - closed)))
        held = server.tree()[0].memory_info().rss
        print(f"newcomer's first page: {', '.join(f'{f:.2f} s' if f else 'never (300 s)' for f in firsts)}")
        print(f"waiting visitors' progress redraws in 10 s: median {statistics.median(counts.values()):.0f}, "
              f"least {min(counts.values())}")
        print(f"server process CPU while they wait: {server_cpu:.2f} of a core")
        print(f"after all left: workers idle after {idle_after:.1f} s; server memory a minute later "
              f"{held / 2**20:.0f} MB (peak with workers {server.peak_rss / 2**20:.0f} MB); "
              f"tracebacks in the log: {len(server.tracebacks())}")
    load = os.getloadavg()
    print(f"load after {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
