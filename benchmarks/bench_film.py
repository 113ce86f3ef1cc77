"""How fast the "while learning" film answers in a real browser: 12 panels, the slider and the play button.

    python benchmarks/bench_film.py [--moves 60]

Starts the app, opens a link to 12 configurations on circles, presses Run, switches the boundaries to
"while learning", and then, in the page:

- slider to drawn frame: moves the film's slider to ``--moves`` positions in turn as a visitor's drag does
  (the value set, an "input" event), each time from the event until the next animation frame is drawn
  (the renderer paints every panel in the event's handler, timed apart; target <= 50 ms);
- playing: presses play and counts the animation frames and the frames the film drew until it reached
  the end (target >= 30 frames per second, every frame a new picture);
- the film's data, once, as sent to the browser (bytes).

The slider and the play button run in the browser: no request goes to the server. Reported with the date,
the commit, the machine's load (``uptime``) and the BLAS threads (the server trains and draws with one).
"""
import argparse
import os
import statistics
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from benchmarks.harness import Server, conditions, launch_chromium  # noqa: E402

QUERY = ("dataset=circles&arch=%5B2%2C8%2C2%5D&arch=%5B2%2C16%2C2%5D&arch=%5B2%2C16%2C8%2C2%5D&arch=%5B2%2C32%2C2%5D"
         "&act=relu&act=tanh&act=sigmoid&epochs=200")
ROOT_JS = """() => { const host = document.querySelector('.st-key-film [data-testid=stBidiComponentIsolated]');
                     return host && host.shadowRoot ? host.shadowRoot.querySelector('.nnlab') : null; }"""
MOVES = """async moves => {
    const root = (%s)(), slider = root.querySelector('input.slider');
    const times = [], painted = [], top = Number(slider.max);
    for (let i = 0; i < moves; i++) {
        const value = (top * ((i * 7919) %% moves)) / moves;  // positions all over the slider, not in order
        const start = performance.now();
        slider.value = value;
        slider.dispatchEvent(new Event('input', {bubbles: true}));
        painted.push(performance.now() - start);  // the renderer's own work: every panel and the marker painted
        await new Promise(resolve => requestAnimationFrame(() => resolve()));  // until the frame is drawn
        times.push(performance.now() - start);
    }
    return {times, painted, panels: root.querySelectorAll('.panel').length};
}""" % ROOT_JS
PLAY = """() => new Promise(resolve => {
    const root = (%s)(), button = root.querySelector('button.play'), stats = window.__nnlab;
    root.querySelector('input.slider').value = 0;
    root.querySelector('input.slider').dispatchEvent(new Event('input', {bubbles: true}));
    const drawn = stats.frames || 0, start = performance.now();
    let frames = 0;
    button.click();
    const tick = () => {
        frames++;
        if (root.dataset.epoch === '200' && button.textContent.includes('play')) {
            const seconds = (performance.now() - start) / 1000;
            resolve({seconds, frames, drawn: (stats.frames || 0) - drawn});
        } else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
})""" % ROOT_JS


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=60)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright
    print(conditions())
    with Server() as server, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        sizes = []
        page.on("websocket", lambda socket: socket.on("framereceived", lambda payload: sizes.append(len(payload))))
        page.goto(f"{server.url}/?{QUERY}")
        page.get_by_role("button", name="Run the comparison from your link", exact=False).click()
        page.get_by_text("Accuracy", exact=True).wait_for(timeout=300_000)
        page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=60_000)
        sizes.clear()
        page.get_by_text("while learning", exact=True).click()
        page.wait_for_function(f"() => {{ const root = ({ROOT_JS})(); return root && root.dataset.epoch === '200'; }}",
                               timeout=60_000)
        page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=60_000)
        moved = page.evaluate(MOVES, args.moves)
        played = page.evaluate(PLAY)
        browser.close()
    times = sorted(moved["times"])
    print(f"{moved['panels']} panels: the renderer paints a slider position in {statistics.median(moved['painted']):.1f} ms "
          f"(median); slider to drawn frame {statistics.median(times):.1f} ms median, "
          f"{times[int(0.95 * (len(times) - 1))]:.1f} ms at the 95th percentile, {times[-1]:.1f} ms at worst "
          f"({len(times)} moves); playing: {played['frames'] / played['seconds']:.0f} frames/s, "
          f"{played['drawn'] / played['seconds']:.0f} of them new pictures, over {played['seconds']:.1f} s; the "
          f"rerun that sent the film: {sum(sizes) / 1000:.0f} kB over the websocket")
    print(f"load after {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
