"""What the live view costs while a comparison trains, in headless Chromium: 10 s of live training with 12
panels on the Compare page.

    python benchmarks/bench_live.py [--seconds 10] [--repeats 2]

The app runs as benchmarks/timed_app.py (the app unchanged, plus a log of every live update: the script's
CPU for it and the bytes of its data). One visitor opens a link to 12 configurations on circles (1500
samples, 2000 epochs: a minute or more of training) and presses Run; once the live view shows its first
panel, for ``--seconds`` the page counts:

- remounts of the canvas element (``window.__nnlab.mounts``, counted by the renderer when it builds its
  root; target 0 after the first);
- blank frames: at every requestAnimationFrame, whether the live element, its curves and every panel it
  showed before are there and painted (a panel's centre pixel opaque); a frame missing any is blank
  (target 0%);
- per live update on the server: the script's CPU (the live fragment's thread time: taking the pool's
  numbers and the workers' grids, building the update, Streamlit's serialising of it), the server
  process's CPU over the window divided by the updates (everything: progress polls, the pool's reader,
  websockets),
  the bytes of the update's data and all the bytes the page received over its websocket per update.

The grids of the runs in training are drawn by the pool's workers (``Job.grids``); the server only relays
them (ui/live.py's ``live_grids``, whose CPU is logged apart). Reported with the machine's load
(``uptime``) and the BLAS threads, medians over ``--repeats`` page loads.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from benchmarks.harness import Server, conditions, launch_chromium  # noqa: E402

QUERY = ("dataset=circles&circles.n=1500&arch=%5B2%2C8%2C2%5D&arch=%5B2%2C16%2C2%5D&arch=%5B2%2C16%2C8%2C2%5D"
         "&arch=%5B2%2C32%2C2%5D&act=relu&act=tanh&act=sigmoid&epochs=2000&seeds=1")
SAMPLE = """seconds => new Promise(resolve => {
    const find = () => { const host = document.querySelector('.st-key-live_view [data-testid=stBidiComponentIsolated]');
                         return host && host.shadowRoot && host.shadowRoot.querySelector('.nnlab'); };
    const seen = new Set();
    let frames = 0, blank = 0, reasons = {};
    const mounts = window.__nnlab.mounts, updates = window.__nnlab.updates, end = performance.now() + 1000 * seconds;
    const check = () => {
        frames++;
        const root = find();
        let why = null;
        if (!root) why = 'no element';
        else if (!root.querySelector('canvas.curves') || !root.querySelector('canvas.curves').width) why = 'no curves';
        else {
            const panels = [...root.querySelectorAll('.panel')];
            for (const p of panels) seen.add(p.dataset.key);
            if (panels.length < seen.size) why = 'a panel missing';
            for (const p of panels) {
                const c = p.querySelector('canvas.image');
                const alpha = c.getContext('2d').getImageData(c.width >> 1, c.height >> 1, 1, 1).data[3];
                if (alpha < 255) { why = 'a panel unpainted'; break; }
            }
        }
        if (why) { blank++; reasons[why] = (reasons[why] || 0) + 1; }
        if (performance.now() < end) requestAnimationFrame(check);
        else resolve({frames, blank, reasons, panels: seen.size, remounts: window.__nnlab.mounts - mounts,
                      updates: window.__nnlab.updates - updates});
    };
    requestAnimationFrame(check);
})"""


def measure(browser, seconds):
    with tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False) as log:
        path = log.name
    with Server("benchmarks/timed_app.py", env={"NN_LAB_EVENT_LOG": path}) as server:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        frames = []  # (when, bytes) of what the server sent the page
        page.on("websocket", lambda socket: socket.on(
            "framereceived", lambda payload: frames.append((time.time(), len(payload)))))
        page.goto(f"{server.url}/?{QUERY}")
        page.get_by_role("button", name="Run the comparison from your link", exact=False).click()
        page.wait_for_function("""() => { const host = document.querySelector('.st-key-live_view [data-testid=stBidiComponentIsolated]');
            return host && host.shadowRoot && host.shadowRoot.querySelectorAll('.panel').length >= 12; }""", timeout=120_000)
        cpu_before, started = server.cpu_seconds(children=False), time.time()
        sampled = page.evaluate(SAMPLE, seconds)
        cpu = server.cpu_seconds(children=False) - cpu_before
        ended = time.time()
        page.close()
    sampled["wire"] = sum(size for t, size in frames if started <= t <= ended)
    with open(path) as file:
        events = [json.loads(line) for line in file]
    os.unlink(path)
    live = [e for e in events if e["event"] == "live" and started <= e["t"] <= ended]
    return sampled, live, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright
    print(conditions())
    rows = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for _ in range(args.repeats):
            sampled, live, cpu = measure(browser, args.seconds)
            updates = max(1, len(live))
            rows.append({"remounts": sampled["remounts"], "blank": sampled["blank"] / max(1, sampled["frames"]),
                         "frames": sampled["frames"], "fps": sampled["frames"] / args.seconds,
                         "panels": sampled["panels"], "updates": len(live),
                         "script_ms": 1000 * statistics.median(e["cpu"] for e in live) if live else float("nan"),
                         "grids_ms": 1000 * statistics.median(e["grids"] for e in live) if live else float("nan"),
                         "process_ms": 1000 * cpu / updates,
                         "kb": statistics.median(e["bytes"] for e in live) / 1000 if live else float("nan"),
                         "wire_kb": sampled["wire"] / updates / 1000,
                         "reasons": sampled["reasons"]})
            print(f"  {rows[-1]}")
        browser.close()

    def median(key):
        return statistics.median(row[key] for row in rows)

    print(f"{args.seconds:g} s of live training, {median('panels'):.0f} panels, {median('updates'):.0f} updates "
          f"(median of {args.repeats}): remounts {median('remounts'):.0f}, blank frames "
          f"{100 * median('blank'):.1f}% of {median('frames'):.0f} ({median('fps'):.0f} frames/s); per update: "
          f"script CPU {median('script_ms'):.1f} ms, server process CPU {median('process_ms'):.1f} ms, "
          f"{median('kb'):.1f} kB of data ({median('wire_kb'):.1f} kB over the websocket, all messages: the "
          f"renderer's code travels with every update); relaying the workers' grids {median('grids_ms'):.2f} ms")
    print(f"load after {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
