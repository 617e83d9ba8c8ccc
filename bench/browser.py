"""Real headless Chromium (Playwright, Debian's chromium): each page's time from navigation until
the script has finished and every chart is drawn, beside its reference page and a blank page
served by a second Streamlit server and measured in the same run; also beside a reference with every
element of the page (inputs, text, navigation), which isolates the app's own cost."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from defections.paths import ROOT, STATIC_DIR

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
BROWSER_RUNS = 11  # loads per page and kind; each is a second or two
# Shared with the browser tests: no sandbox (CI runs as root), nothing fetched in the background.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
# Ready = the script run is over (not merely not started), the socket is up, and every expected
# plotly chart has drawn its SVG (a map also its outlines). Returns the time since navigation.
READY = """(expected) => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.dataset.testScriptState !== 'notRunning' || app.dataset.testConnectionState !== 'CONNECTED')
        return false;
    if (document.querySelector('[data-testid="stSkeleton"]')) return false;
    const plots = document.querySelectorAll('.js-plotly-plot');
    if (plots.length < expected) return false;
    for (const plot of plots) {
        if (!plot._fullLayout || !plot.querySelector('.main-svg')) return false;
        // A map draws its outlines only once the topojson has loaded.
        if (plot.querySelector('.geo') && !plot.querySelector('.geo .layer path')) return false;
    }
    return performance.now();
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(script: Path, env: dict[str, str], log_path: Path, timeout: float = 60):
    """`streamlit run script` on a free localhost port; yields (base URL, process); stops it after."""
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
               "--browser.gatherUsageStats", "false", "--server.enableStaticServing", "true"]
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1", **env}, stdout=log,
                                   stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                state = f"exited with {process.returncode}" if process.poll() is not None else "was not healthy"
                raise RuntimeError(f"streamlit {state}; its log ({log_path}):\n"
                                   f"{Path(log_path).read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def peak_rss_mb(pid: int) -> float | None:
    try:
        return int(re.search(r"VmHWM:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1)) / 1024
    except (OSError, AttributeError):
        return None


def reference_app(out_dir: Path) -> Path:
    """The reference script beside a copy of static/, so its maps load the same local outlines."""
    folder = out_dir / "reference"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(Path(__file__).resolve().parent / "reference.py", folder / "reference.py")
    if not (folder / "static").is_dir():
        shutil.copytree(STATIC_DIR, folder / "static")
    return folder / "reference.py"


def load_times(browser, urls: dict[str, tuple[str, int]], runs: int, timeout_s: float = 120) -> dict:
    """Seconds from navigation to ready for each of `urls` ({name: (url, charts expected)}), loaded in
    turn (app, reference, same elements, blank, app, …) so that whatever else the machine is doing slows them alike;
    `runs` timed rounds after one untimed warm-up round (which fills the browser's cache of Streamlit's
    scripts and the server's query cache). A new tab per load, so a new Streamlit session each time."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    results: dict = {name: {"times": []} for name in urls}
    try:
        for i in range(runs + 1):
            for name, (url, charts) in urls.items():
                if "error" in results[name]:
                    continue
                tab = context.new_page()
                try:
                    tab.goto(url, wait_until="commit")
                    ready = tab.wait_for_function(READY, arg=charts, polling="raf", timeout=timeout_s * 1000)
                    if i:
                        results[name]["times"].append(ready.json_value() / 1000)
                except Exception as err:  # noqa: BLE001 - a page that never settles is a result, not a crash
                    results[name]["error"] = (f"not ready after {timeout_s:.0f} s ({_state(tab)}, {charts} chart(s) "
                                              f"expected): {str(err).splitlines()[0]}")
                finally:
                    tab.close()
    finally:
        context.close()
    return results


def _state(tab) -> str:
    try:
        return tab.evaluate("""() => {
            const app = document.querySelector('[data-testid="stApp"]') || {dataset: {}};
            const plots = [...document.querySelectorAll('.js-plotly-plot')];
            return `script ${app.dataset.testScriptState}, socket ${app.dataset.testConnectionState}, `
                + `${plots.filter(p => p._fullLayout && p.querySelector('.main-svg')).length} of ${plots.length} `
                + `charts drawn, ${document.querySelectorAll('[data-testid="stSkeleton"]').length} skeletons`;
        }""")
    except Exception as err:  # noqa: BLE001
        return f"page state unknown: {type(err).__name__}"


def measure(db: Path, env: dict[str, str], spec_file: Path, specs: dict, url_paths: dict[str, str], runs: int,
            out_dir: Path, log=print) -> dict:
    """Every page of the app on `db`, each beside its reference and the blank page."""
    from playwright.sync_api import sync_playwright

    reference = reference_app(out_dir)
    app_env = {**env, "DEFECTIONS_DB": str(db)}
    ref_env = {"BENCH_REFERENCE_SPEC": str(spec_file), "PYTHONPATH": str(ROOT)}
    results: dict = {"pages": {}}
    with (streamlit_server(ROOT / "dashboard.py", app_env, out_dir / f"app-{db.stem}.log") as (app_url, app),
          streamlit_server(reference, ref_env, out_dir / f"reference-{db.stem}.log") as (ref_url, _),
          sync_playwright() as playwright):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for page, url_path in url_paths.items():
                charts = len(specs.get(page, {}).get("charts", []))
                log(f"  browser: {page}")
                results["pages"][page] = load_times(browser, {
                    "app": (f"{app_url}/{url_path}", charts),
                    "reference": (f"{ref_url}/{url_path}", charts),
                    "same_elements": (f"{ref_url}/{url_path}?elements=all", charts),
                    "blank": (f"{ref_url}/blank", 0),
                }, max(runs, BROWSER_RUNS))
        finally:
            browser.close()
        results["app_peak_rss_mb"] = peak_rss_mb(app.pid)
    return results
