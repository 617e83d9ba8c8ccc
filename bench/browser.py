"""Real headless Chromium (Playwright, Debian's chromium), against the app and, on a second Streamlit
server, the reference app (bench/reference.py: the same frame and sidebar filters, a short page) and a
blank page, measured in the same run:

- loads: navigation until the script has finished and every chart is drawn, a new tab (session) each
  time, the app's page and the blank page in turn;
- interactions, in one tab per server: a page switch through the sidebar and one step of the year
  slider (the keyboard's arrow on its start thumb), until the run they start has finished and every
  chart is drawn again, the app's tab and the reference's taking turns."""

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
# Before an interaction: note the time and what the tab has seen, so that "done" means the run this
# interaction started has ended (a state change away from 'running', or one more script_finished
# received), not the one before it.
ARM = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const watch = window.__bench = {start: performance.now(), ended: false, finished: window.__finished};
    new MutationObserver((records, observer) => {
        if (records.some(r => r.oldValue === 'running')) { watch.ended = true; observer.disconnect(); }
    }).observe(app, {attributes: true, attributeOldValue: true, attributeFilter: ['data-test-script-state']});
}"""
SETTLED = (f"(expected) => (window.__bench.ended || window.__finished > window.__bench.finished) "
           f"&& ({DRAWN})(expected) && performance.now() - window.__bench.start")
SWITCH = """(path) => {
    const link = [...document.querySelectorAll('[data-testid="stSidebarNav"] a')]
        .find(a => new URL(a.href).pathname.replace(/\\/$/, '') === path);
    link.click();
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(script: Path, env: dict[str, str], log_path: Path, timeout: float = 60):
    """`streamlit run script` on a free loopback port; yields (base URL, process) once healthy; stops it after."""
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
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
    """Seconds from navigation to drawn for each of `urls` ({kind: (url, charts expected)}), loaded in
    turn (app, blank, app, …) so that whatever else the machine is doing slows them alike; `runs` timed
    rounds after one untimed warm-up round (which fills the browser's cache of Streamlit's scripts and
    the server's query cache). A new tab per load: a new Streamlit session."""
    results: dict = {kind: {"times": []} for kind in urls}
    for i in range(runs + 1):
        for kind, (url, charts) in urls.items():
            if "error" in results[kind]:
                continue
            tab = context.new_page()
            try:
                tab.goto(url, wait_until="commit")
                ready = tab.wait_for_function(LOADED, arg=charts, polling="raf", timeout=timeout_s * 1000)
                if i:
                    results[kind]["times"].append(ready.json_value() / 1000)
            except Exception as err:  # noqa: BLE001 - a page that never settles is a result, not a crash
                results[kind]["error"] = f"not drawn after {timeout_s:.0f} s: {str(err).splitlines()[0]}"
            finally:
                tab.close()
    return results


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
    """In one tab per kind ({kind: the last page's URL}, charts {kind: {page: charts expected}}): `rounds`
    rounds over every page of the registry, each a page switch through the sidebar, then a year-slider
    step forward and one back; the kinds take turns at every interaction.
    {page: {kind: {"switch": [s, …], "filter": [s, …]}}}."""
    tabs = {}
    for kind, url in urls.items():
        tabs[kind] = context.new_page()
        tabs[kind].goto(url, wait_until="commit")  # the last page: a round starts with a switch away from it
        tabs[kind].wait_for_function(LOADED, arg=charts[kind][PAGES[-1].name], polling="raf", timeout=120_000)
    results = {p.name: {kind: {"switch": [], "filter": []} for kind in urls} for p in PAGES}
    try:
        for _ in range(rounds):
            for page in PAGES:
                path = page.url.rstrip("/")
                steps = [("switch", lambda tab, path=path: tab.evaluate(SWITCH, path)),
                         ("filter", lambda tab: tab.locator(THUMB).press("ArrowRight")),
                         ("filter", lambda tab: tab.locator(THUMB).press("ArrowLeft"))]
                for what, act in steps:
                    for kind, tab in tabs.items():
                        try:
                            results[page.name][kind][what].append(_timed(tab, act, charts[kind][page.name]))
                        except Exception as err:  # noqa: BLE001 - one that never settles is a result, not the end
                            results[page.name][kind].setdefault("errors", []).append(
                                f"{what}: {str(err).splitlines()[0]}")
    finally:
        for tab in tabs.values():
            tab.close()
    return results


def measure(db: Path, env: dict[str, str], charts: dict[str, int], loads: int, rounds: int, out_dir: Path,
            log=print) -> dict:
    """Every page of the app on `db` ({page: charts it draws}): loads beside the blank page, then the
    interactions beside the reference's."""
    from playwright.sync_api import sync_playwright

    env = {**env, "DEFECTIONS_DB": str(db)}
    with (streamlit_server(ROOT / "dashboard.py", env, out_dir / f"app-{db.stem}.log") as (app_url, app),
          streamlit_server(ROOT / "bench" / "reference.py", {**env, "PYTHONPATH": str(ROOT)},
                           out_dir / f"reference-{db.stem}.log") as (ref_url, _),
          sync_playwright() as playwright):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        context.add_init_script(COUNT_FINISHED)
        results: dict = {"pages": {}}
        try:
            for page in PAGES:
                log(f"  browser: {page.name}")
                results["pages"][page.name] = load_times(
                    context, {"app": (app_url + page.url, charts[page.name]), "blank": (f"{ref_url}/blank", 0)}, loads)
            log("  browser: page switches and slider steps in one tab")
            try:
                results["interactions"] = interaction_times(
                    context, {"app": app_url + PAGES[-1].url, "reference": ref_url + PAGES[-1].url},
                    {"app": charts, "reference": dict.fromkeys(charts, 0)}, rounds)
            except Exception as err:  # noqa: BLE001 - the loads stand without it
                results["interactions"] = {"error": f"{type(err).__name__}: {str(err).splitlines()[0]}"}
        finally:
            context.close()
            browser.close()
        results["app_peak_rss_mb"] = peak_rss_mb(app.pid)
    return results
