"""A class watching its board: what the board's self-refresh costs the server.

    python benchmarks/bench_board.py [--visitors 10 30] [--seconds 30] [--entries 8]

A board with ``--entries`` entries (trained and posted through the store, as other servers sharing the
database would) and, for each count of visitors, a fresh server: the visitors (benchmarks/visitor.py:
websockets speaking Streamlit's messages, no browser) open the class link and stay on the board page, whose
ranking reruns itself every 3 s and the drawings beside it every 10 s (``auto_rerun``, as a page's timer
does). Side by side on the same server, alternating: the same visitors on the Compare page's welcome (no
timer), so the ratio is what the board's polling adds. Reported: the server's CPU as a share of one core, the
fragment reruns it served (both kinds), and its CPU per rerun; with the machine's load and BLAS threads.
"""
import argparse
import asyncio
import os
import sys
import tempfile
import time

import psutil
from threadpoolctl import threadpool_info

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks.harness import Server  # noqa: E402
from benchmarks.visitor import Visitor  # noqa: E402
from experiments.runner import run_grid  # noqa: E402
from experiments.store import ResultStore, store_key  # noqa: E402

ARCHITECTURES = ["[25, 2]", "[25, 4, 2]", "[25, 8, 2]", "[25, 16, 2]", "[25, 8, 8, 2]", "[25, 16, 8, 2]",
                 "[25, 32, 2]", "[25, 16, 16, 2]"]


class Counting(Visitor):
    """A visitor that counts the script runs (whole or fragment) the server finished for it."""

    runs = 0

    async def _rerun(self, *args, **kwargs):
        Counting.runs += 1
        await super()._rerun(*args, **kwargs)


def seeded_board(data_dir, entries):
    store = ResultStore(f"sqlite:///{data_dir}/results.sqlite")
    board, _ = store.boards.create("Bench", "moons", {"n_samples": 200}, epochs=40, seeds=(0, 1, 2), max_params=600)
    for index, architecture in enumerate(ARCHITECTURES[:entries]):
        configuration = {"architecture": architecture, "activation": "tanh", "lr": 0.5}
        specs = board.rules.specs(configuration)
        key = store_key(specs, 20)
        store.put(key, run_grid(specs, snapshots=20))
        store.boards.post(board.id, f"student {index}", f"s{index}", key, configuration)
    store.close()
    return board.id


async def watch(port, query, visitors, seconds, server):
    """``visitors`` open ``query`` and stay; (server CPU seconds per second, script runs per second) over
    ``seconds`` once they have all opened."""
    crowd = [Counting(port, query) for _ in range(visitors)]
    for visitor in crowd:
        await visitor.open()
    await asyncio.sleep(5)  # every page drawn, its caches warm
    process = psutil.Process(server.process.pid)
    cpu, runs, started = sum(process.cpu_times()[:2]), Counting.runs, time.perf_counter()
    await asyncio.sleep(seconds)
    elapsed = time.perf_counter() - started
    used, served = sum(process.cpu_times()[:2]) - cpu, Counting.runs - runs
    for visitor in crowd:
        await visitor.close()
    errors = [error for visitor in crowd for error in visitor.errors]
    return used / elapsed, served / elapsed, errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--visitors", type=int, nargs="+", default=[10, 30])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--entries", type=int, default=8)
    args = parser.parse_args()
    blas = {info.get("internal_api"): info.get("num_threads") for info in threadpool_info()}
    print(f"load average at start: {os.getloadavg()}; BLAS threads in this process: {blas} (the server: 1)")
    data_dir = tempfile.mkdtemp(prefix="bench-board-")
    board_id = seeded_board(data_dir, args.entries)
    for visitors in args.visitors:
        with Server(env={"NN_LAB_DATA_DIR": data_dir}, args=["--server.enableXsrfProtection", "false"]) as server:
            figures = {}
            for where, query in (("welcome", ""), ("board", f"board={board_id}"), ("welcome", ""),
                                 ("board", f"board={board_id}")):
                cpu, runs, errors = asyncio.run(watch(server.port, query, visitors, args.seconds, server))
                figures.setdefault(where, []).append((cpu, runs))
                if errors:
                    print(f"  errors on {where}: {errors[:3]}")
            (board_cpu, board_runs), (idle_cpu, _) = (
                [sum(values) / len(values) for values in zip(*figures[name])] for name in ("board", "welcome"))
            print(f"{visitors} visitors on the board ({args.entries} entries): server CPU {board_cpu:.1%} of a core "
                  f"({idle_cpu:.1%} with them on the welcome page: x{board_cpu / max(idle_cpu, 1e-3):.0f}), "
                  f"{board_runs:.1f} fragment reruns/s, {1000 * (board_cpu - idle_cpu) / max(board_runs, 1e-9):.1f} ms "
                  "of CPU per rerun")
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
