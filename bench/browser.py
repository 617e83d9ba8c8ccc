"""Real headless Chromium on the app and, on a second server, the reference app (bench/reference.py): fresh
tabs on each page beside the blank page, then in one tab each, page switches and year-slider steps taking
turns (docs/benchmarks.md). Also the Streamlit servers of the benchmark and the browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from bench.server import peak_rss_mb
from defections.paths import ROOT
from defections.registry import PAGES
from deploy.replicas import _healthy, stop

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Shared with the browser tests: no sandbox (CI runs as root), nothing fetched in the background.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
# Drawn = the socket is up, no script is running, nothing is greyed out as stale or still a skeleton,
# and at least the expected number of plotly charts have drawn their SVG (a map also its outlines).
DRAWN = """(expected) => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.dataset.testScriptState !== 'notRunning' || app.dataset.testConnectionState !== 'CONNECTED')
        return false;
    if (document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]')) return false;
    const plots = document.querySelectorAll('.js-plotly-plot');
    if (plots.length < expected) return false;
    return [...plots].every(plot => plot._fullLayout && plot.querySelector('.main-svg')
        && !(plot.querySelector('.geo') && !plot.querySelector('.geo .layer path')));
}"""
LOADED = f"(expected) => ({DRAWN})(expected) && performance.now()"
# Counts the runs that ended for good in the tab: script_finished messages (ForwardMsg field 6, a varint)
# other than FINISHED_EARLY_FOR_RERUN (2, a run cut short for the next one). A run served from the app's
# cache can start and finish within one React render, so the script-state attribute may never show
# 'running', and only the socket tells that the run ended: a walk over the message's top-level protobuf
# fields, run in every tab before Streamlit's.
COUNT_FINISHED = """(() => {
    window.__finished = 0;
    const varint = (bytes, at) => { let value = 0, shift = 0, byte;
        do { byte = bytes[at++]; value += (byte & 127) * 2 ** shift; shift += 7; } while (byte & 128);
        return [value, at]; };
    const finished = (data) => {
        if (!(data instanceof ArrayBuffer)) return false;
        const bytes = new Uint8Array(data);
        for (let at = 0, tag; at < bytes.length;) {
            [tag, at] = varint(bytes, at);
            if (tag === (6 << 3)) return varint(bytes, at)[0] !== 2;
            const wire = tag & 7;
            if (wire === 0) [, at] = varint(bytes, at);
            else if (wire === 2) { let length; [length, at] = varint(bytes, at); at += length; }
            else if (wire === 1) at += 8; else if (wire === 5) at += 4; else return false;
        }
        return false; };
    const Socket = window.WebSocket;
    window.WebSocket = class extends Socket {
        constructor(...args) { super(...args);
            this.addEventListener('message', (event) => { if (finished(event.data)) window.__finished += 1; }); }
    };
})()"""
# Before an interaction: the time, and the runs the tab has seen end, so that "settled" means that the run
# this interaction started has ended (one more script_finished received) and every chart is drawn.
ARM = "() => { window.__bench = {start: performance.now(), finished: window.__finished}; }"
SETTLED = (f"(expected) => window.__finished > window.__bench.finished && ({DRAWN})(expected) "
           "&& performance.now() - window.__bench.start")
SWITCH = """(path) => {
    const link = [...document.querySelectorAll('[data-testid="stSidebarNav"] a')]
        .find(a => new URL(a.href).pathname.replace(/\\/$/, '') === path);
    link.click();
}"""


# `streamlit run`, with the app's caches cleared on SIGUSR1: the cold runs of bench/load.py's measure_page.
SERVE = ("import gc, signal, sys; from streamlit.web.cli import main\n"
         "signal.signal(signal.SIGUSR1, lambda *_: (sys.modules['defections.cache'].clear(), gc.collect()))\n"
         "main(prog_name='streamlit')")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(script: Path, env: dict[str, str], log_path: Path, timeout: float = 60):
    """`streamlit run script` on a free loopback port; yields (base URL, process) once healthy; stops it after."""
    port = free_port()
    command = [sys.executable, "-c", SERVE, "run", str(script), "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
               "--browser.gatherUsageStats", "false", "--server.enableStaticServing", "true"]
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1", **env}, stdout=log,
                                   stderr=subprocess.STDOUT)
    try:
        _healthy(f"http://127.0.0.1:{port}", process, Path(log_path), timeout)
        yield f"http://127.0.0.1:{port}", process
    finally:
        stop(process)


def load_times(context, urls: dict[str, tuple[str, int]], runs: int, timeout_s: float = 120) -> dict:
    """Seconds from navigation to drawn, in a new tab (session) each time, for `urls` ({"app": (url, charts),
    "app_ref": the blank page's}) in turn, so that the machine's other work slows them alike; `runs` rounds
    after an untimed one (it fills the browser's cache of Streamlit's scripts and the server's caches)."""
    times, errors = {kind: [] for kind in urls}, {}
    for i in range(runs + 1):
        for kind, (url, charts) in urls.items():
            if kind in errors:
                continue
            tab = context.new_page()
            try:
                tab.goto(url, wait_until="commit")
                ready = tab.wait_for_function(LOADED, arg=charts, polling="raf", timeout=timeout_s * 1000)
                times[kind] += [ready.json_value() / 1000] if i else []
            except Exception as err:  # noqa: BLE001 - a page that never settles is a result, not a crash
                errors[kind] = f"{kind}: not drawn after {timeout_s:.0f} s: {str(err).splitlines()[0]}"
            finally:
                tab.close()
    return {**times, "error": "; ".join(errors.values()) or None}


def _timed(tab, act, charts: int, timeout_s: float = 30) -> float:
    """Seconds from just before `act(tab)` until the run it started has ended and every chart is drawn (an
    interaction that has not settled in 30 s is reported as an error: 2 minutes each would not fit the run)."""
    # The tab an analyst acts in is the one in front: Chromium throttles a tab behind another in the same
    # window, although it reads as visible and focused (docs/benchmarks.md).
    tab.bring_to_front()
    tab.evaluate(ARM)
    act(tab)
    return tab.wait_for_function(SETTLED, arg=charts, polling="raf", timeout=timeout_s * 1000).json_value() / 1000


# The start thumb of the sidebar's year slider: its hidden range input, one arrow press moves it one year.
THUMB = '[data-testid="stSidebar"] [data-testid="stSlider"] input[type="range"][aria-label$="start"]'


def interaction_times(context, urls: dict[str, str], charts: dict[str, dict[str, int]], rounds: int) -> dict:
    """In a tab on the app and one on the reference (urls {"": …, "_ref": …}, charts {kind: {page: n}}), taking
    turns: `rounds` rounds over every page, each a switch to it, a slider step and one back. {page: {"switch":
    [s, …], "switch_ref": […], "filter": …, "filter_ref": …, "error": …}}"""
    tabs = {kind: context.new_page() for kind in urls}
    results = {p.name: {f"{what}{kind}": [] for what in ("switch", "filter") for kind in urls} for p in PAGES}
    errors: dict[str, list[str]] = {p.name: [] for p in PAGES}
    try:
        # Opened on the first page, so that plotly's script is loaded before a timed switch (an analyst's tab
        # loads it once), then on the last page untimed: a round starts by switching away.
        for kind, tab in tabs.items():
            tab.goto(urls[kind] + PAGES[0].url, wait_until="commit")
            tab.wait_for_function(LOADED, arg=charts[kind][PAGES[0].name], polling="raf", timeout=120_000)
            _timed(tab, lambda tab: tab.evaluate(SWITCH, PAGES[-1].url.rstrip("/")), charts[kind][PAGES[-1].name])
        for _ in range(rounds):
            for page in PAGES:
                path = page.url.rstrip("/")
                for what, act in [("switch", lambda tab, path=path: tab.evaluate(SWITCH, path)),
                                  ("filter", lambda tab: tab.locator(THUMB).press("ArrowRight")),
                                  ("filter", lambda tab: tab.locator(THUMB).press("ArrowLeft"))]:
                    for kind, tab in tabs.items():
                        try:
                            results[page.name][what + kind].append(_timed(tab, act, charts[kind][page.name]))
                        except Exception as err:  # noqa: BLE001 - one that never settles is a result, not the end
                            errors[page.name].append(f"{what}{kind}: {str(err).splitlines()[0]}")
    finally:
        for tab in tabs.values():
            tab.close()
    return {page: {**r, "error": "; ".join(dict.fromkeys(errors[page])) or None} for page, r in results.items()}


def measure(db: Path, env: dict[str, str], charts: dict[str, int], loads: int, rounds: int, out_dir: Path,
            log=print) -> dict:
    """Every page of the app on `db` ({page: charts it draws}): loads beside the blank page, then the
    interactions beside the reference's."""
    from playwright.sync_api import sync_playwright

    with (streamlit_server(ROOT / "dashboard.py", env, out_dir / f"app-{db.stem}.log") as (app_url, app),
          streamlit_server(ROOT / "bench" / "reference.py", {**env, "PYTHONPATH": str(ROOT)},
                           out_dir / f"reference-{db.stem}.log") as (ref_url, _),
          sync_playwright() as playwright):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        context.add_init_script(COUNT_FINISHED)
        results: dict = {"loads": {}}
        try:
            for page in PAGES:
                log(f"  browser: {page.name}")
                results["loads"][page.name] = load_times(context, {"app": (app_url + page.url, charts[page.name]),
                                                                   "app_ref": (f"{ref_url}/blank", 0)}, loads)
            log("  browser: page switches and slider steps in one tab")
            try:
                results["acts"] = interaction_times(context, {"": app_url, "_ref": ref_url},
                                                    {"": charts, "_ref": dict.fromkeys(charts, 0)}, rounds)
            except Exception as err:  # noqa: BLE001 - the loads stand without it
                results["acts"] = {"error": f"{type(err).__name__}: {str(err).splitlines()[0]}"}
        finally:
            context.close()
            browser.close()
        results["app_peak_rss_mb"] = peak_rss_mb(app.pid)
    return results
