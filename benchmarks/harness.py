"""What the benchmarks and the browser tests share: a Streamlit server started on a free port and watched
(its memory and CPU with its worker processes), waiting for a condition, and a headless Chromium.

Nothing here imports the project: it drives the app as a separate process, as a visitor's browser does.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def wait_until(condition, timeout=30.0, interval=0.05, message="the condition"):
    """Poll ``condition()`` until it returns something true and return that; TimeoutError naming ``message``
    after ``timeout`` seconds. Tests wait for what they look for, never for a fixed time."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout:g} s for {message}")
        time.sleep(interval)


def conditions(note=""):
    """One line saying when and where a benchmark ran: the date, the commit, the machine's load and the BLAS
    threads of this process (limited to one, as the server and its workers are)."""
    import numpy  # noqa: F401 - loaded first, so that its BLAS is counted
    from threadpoolctl import threadpool_info, threadpool_limits
    threadpool_limits(1)
    blas = sorted({p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"})
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return (f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · commit {commit} · load {load} (uptime) · "
            f"BLAS threads {blas} here, 1 in the server and each worker" + (f" · {note}" if note else ""))


def resident_bytes(processes):
    """The resident memory of ``processes`` (psutil.Process objects) summed, leaving out any that ended."""
    import psutil
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            pass
    return total


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``streamlit run <script>`` on a free port, its output in a log file. ``sample=True`` records the peak
    memory (RSS summed over the server and its worker processes) ten times a second. Each server keeps its
    results store in a data folder of its own (removed when it stops) unless ``env`` names one, so that no
    server finds what another trained; two servers given the same NN_LAB_DATA_DIR share one."""

    def __init__(self, script="streamlit_app.py", port=None, env=None, args=(), sample=False, timeout=60.0):
        self.data_dir = None
        if not {"NN_LAB_DATA_DIR", "NN_LAB_STORE_URL"} & set(env or {}):
            self.data_dir = tempfile.mkdtemp(prefix="nn-lab-server-")
            env = {**(env or {}), "NN_LAB_DATA_DIR": self.data_dir}
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        handle, self.log_path = tempfile.mkstemp(prefix=f"streamlit-{self.port}-", suffix=".log")
        self.log = os.fdopen(handle, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true", *args],
            cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
        self.peak_rss, self._sampling = 0, sample
        try:
            wait_until(self.healthy, timeout, 0.1, f"streamlit to answer on port {self.port}")
        except TimeoutError:
            self.stop()
            raise RuntimeError(f"streamlit did not start:\n{self.output()[-2000:]}") from None
        if sample:
            threading.Thread(target=self._sample, daemon=True).start()

    def healthy(self):
        if self.process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {self.process.returncode}:\n{self.output()[-2000:]}")
        try:
            return urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1).read() == b"ok"
        except OSError:
            return False

    def tree(self):
        """The server's process and its children (the training workers), as psutil Processes."""
        import psutil
        root = psutil.Process(self.process.pid)
        return [root, *root.children(recursive=True)]

    def rss(self):
        return resident_bytes(self.tree())

    def cpu_seconds(self, children=True):
        import psutil
        total = 0.0
        for process in self.tree() if children else self.tree()[:1]:
            try:
                times = process.cpu_times()
                total += times.user + times.system
            except psutil.Error:
                pass
        return total

    def _sample(self):
        while self._sampling:
            self.peak_rss = max(self.peak_rss, self.rss())
            time.sleep(0.1)

    def output(self):
        self.log.flush()
        with open(self.log_path, errors="replace") as log:
            return log.read()

    def tracebacks(self):
        """The last line of every traceback in the server's output (the error it ended with)."""
        return [block.strip().splitlines()[-1] for block in self.output().split("Traceback (most recent call last):")[1:]
                if block.strip()]

    def stop(self):
        self._sampling = False
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()
        if self.data_dir is not None:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def launch_chromium(playwright):
    """Debian's Chromium, headless, as this machine allows it (Playwright's own browser is not installed)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
