"""The load client: simulated analysts on a running dashboard over Streamlit's own websocket protocol
(`/_stcore/stream`), with no browser (on one machine a browser-driven load test measures Chromium, not
the app: issue 15); and through it, each page's cold and warm runs. Loopback only (docs/benchmarks.md)."""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import itertools
import json
import os
import random
import signal
import statistics
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import numpy as np
import psutil
import pyarrow as pa
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from bench.browser import streamlit_server
from bench.server import peak_rss_mb
from defections.paths import ROOT
from defections.registry import PAGES

MAX_SESSIONS, MAX_SECONDS = 200, 1800  # bounds: beyond them the machine, not the app, is measured
TIMEOUT = 120.0  # one interaction's bound; beyond it the interaction counts as an error
SHARED_LINK = "years=2016&years=2024"  # a link an analyst pastes: a year range, as the README shows
THINK = 5.0  # seconds between one session's interactions
SIDEBAR = 1  # delta_path[0] of the sidebar container (0 is the main area)
KINDS = ("open", "page", "filter")  # what a session does; "error" when it cannot go on
ARRAY_KEYS = ("x", "y", "z", "lat", "lon", "values", "labels", "r", "theta", "locations")  # a trace's data


class LoadError(Exception):
    """Bad input (a host that is not loopback, bounds exceeded): a message, never a traceback."""


def loopback_url(url: str) -> str:
    """The base URL if its host is this machine; the client refuses to load anyone else's server."""
    parts = urlsplit(url)
    try:
        local = parts.hostname == "localhost" or ipaddress.ip_address(parts.hostname or "").is_loopback
    except ValueError:
        local = False
    if parts.scheme not in {"http", "https"} or not local:
        raise LoadError(f"refusing to load {url!r}: the load client drives http(s) servers on loopback only")
    return url.rstrip("/")


def check_bounds(sessions: int, seconds: float) -> None:
    if not 1 <= sessions <= MAX_SESSIONS:
        raise LoadError(f"sessions must be between 1 and {MAX_SESSIONS} (got {sessions})")
    if not 0 < seconds <= MAX_SECONDS:
        raise LoadError(f"seconds must be between 0 and {MAX_SECONDS} (got {seconds})")


@dataclass
class Run:
    """What one script run sent: its elements (delta path -> element), its status, its time."""

    seconds: float
    status: str  # "ok" or what went wrong
    elements: dict[tuple, object]
    hashes: frozenset = frozenset()  # the cacheable messages it sent or referenced

    def of(self, kind: str) -> list:
        """The elements of one kind ("markdown", "plotly_chart", …), in page order."""
        return [getattr(self.elements[p], kind) for p in sorted(self.elements)
                if self.elements[p].WhichOneof("type") == kind]

    def texts(self, kind: str) -> list[str]:
        return [element.body for element in self.of(kind)]

    def sent(self) -> dict:
        """Its plotly charts, and its points: the longest data array of every trace, plus every table's rows
        (every tab's content is sent)."""
        charts = [json.loads(chart.spec) for chart in self.of("plotly_chart")]
        points = sum(max(_length(trace.get(key)) for key in ARRAY_KEYS) for chart in charts for trace in chart["data"])
        tables = self.of("dataframe") + self.of("table")
        rows = sum(pa.ipc.open_stream(table.arrow_data.data).read_all().num_rows for table in tables)
        return {"charts": len(charts), "points": points + rows}


def _length(array) -> int:
    """Values in a plotly data array: a list, or plotly's base64 typed array ({"bdata", "dtype", …})."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), array["dtype"]).size
    return len(array) if isinstance(array, list) else 0


class Session:
    """One browser tab's conversation with the app (`async with`): a websocket, the pages announced, the last
    run's widgets, and the cache of large messages, forgetting as a tab does (docs/benchmarks.md)."""

    def __init__(self, base_url: str) -> None:
        self.base_url, self.socket = loopback_url(base_url), None
        self.pages: dict[str, str] = {}  # url path ("" for home) -> page script hash
        self.page_hash = self.query = ""
        self.widgets: dict[str, tuple[int, object]] = {}  # widget id -> (container, element)
        self.values: dict[str, WidgetState] = {}  # what the browser's widget manager holds
        self.cache: dict[str, tuple[ForwardMsg, int]] = {}  # hash -> (message, the run that last used it)
        self.runs, self.max_cached_message_age = 0, 2  # Streamlit's default; new_session says the server's

    async def __aenter__(self) -> Session:
        """The HTML page first, then the websocket with its cookies: a sticky proxy (deploy/) routes by them."""
        def cookies() -> str:
            with urllib.request.urlopen(self.base_url + "/", timeout=TIMEOUT) as response:
                response.read()
                return "; ".join(h.split(";", 1)[0] for h in response.headers.get_all("Set-Cookie") or [])

        cookie, parts = await asyncio.to_thread(cookies), urlsplit(self.base_url)
        self.socket = await websockets.connect(
            f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}{parts.path}/_stcore/stream",
            subprotocols=["streamlit"], origin=f"{parts.scheme}://{parts.netloc}", max_size=None,
            open_timeout=TIMEOUT, ping_interval=None, additional_headers={"Cookie": cookie} if cookie else None)
        return self

    async def __aexit__(self, *_) -> None:
        await self.socket.close()

    async def open(self, url_path: str, query: str) -> Run:
        """A fresh tab on /URL_PATH?QUERY: the page is named by its path, its hash is not known yet."""
        self.query = query
        return await self._rerun("", url_path, [])

    async def switch_page(self, url_path: str) -> Run:
        """A click on the sidebar's navigation: the target's hash, the sidebar's widget states."""
        states = [s for wid, s in self.values.items() if self.widgets.get(wid, (None,))[0] == SIDEBAR]
        return await self._rerun(self.pages[url_path], "", states)

    def _slider(self):
        return next(e.slider for _, e in self.widgets.values()
                    if e.WhichOneof("type") == "slider" and e.slider.label == "Year of defection")

    def year_bounds(self) -> tuple[int, int]:
        return int(self._slider().min), int(self._slider().max)

    async def set_years(self, year_from: int, year_to: int) -> Run:
        """Drag the year slider: its new value in the widget states, and in the URL (bound to ?years=)."""
        state = WidgetState(id=self._slider().id)
        state.double_array_value.data.extend([float(year_from), float(year_to)])
        self.values[state.id] = state
        kept = [(k, v) for k, v in parse_qsl(self.query, keep_blank_values=True) if k != "years"]
        self.query = urlencode([*kept, ("years", year_from), ("years", year_to)])
        return await self.rerun()

    async def rerun(self) -> Run:
        """The page run again with the widgets as they are."""
        return await self._rerun(self.page_hash, "", list(self.values.values()))

    async def _rerun(self, page_hash: str, page_name: str, states: list[WidgetState]) -> Run:
        """The BackMsg rerun_script the Streamlit 1.67 frontend sends, then the ForwardMsgs until the end."""
        message = BackMsg()
        rerun = message.rerun_script
        rerun.query_string, rerun.page_script_hash, rerun.page_name = self.query, page_hash, page_name
        rerun.widget_states.widgets.extend(states)
        rerun.cached_message_hashes.extend(self.cache)
        info = rerun.context_info
        info.timezone, info.timezone_offset, info.locale, info.color_scheme = "UTC", 0, "en-US", "light"
        info.url = f"{self.base_url}/{page_name}" + (f"?{self.query}" if self.query else "")
        start = time.perf_counter()
        await self.socket.send(message.SerializeToString())
        return await asyncio.wait_for(self._until_finished(start), TIMEOUT)

    async def _until_finished(self, start: float) -> Run:
        elements, widgets, hashes = {}, {}, set()
        while True:
            msg = ForwardMsg.FromString(await self.socket.recv())
            if msg.HasField("ref_hash"):  # a large message sent before: the tab's copy, if it still holds it
                if msg.ref_hash not in self.cache:
                    return Run(time.perf_counter() - start, f"unknown cached message {msg.ref_hash}", elements)
                held, metadata = self.cache[msg.ref_hash][0], msg.metadata
                self.cache[msg.ref_hash] = (held, self.runs)
                hashes.add(msg.ref_hash)
                msg = ForwardMsg()
                msg.CopyFrom(held)
                msg.metadata.CopyFrom(metadata)
            elif msg.metadata.cacheable and msg.hash:
                self.cache[msg.hash] = (msg, self.runs)
                hashes.add(msg.hash)
            kind = msg.WhichOneof("type")
            if kind == "page_not_found":
                return Run(time.perf_counter() - start, "page not found", elements)
            elif kind in ("new_session", "navigation"):
                body = getattr(msg, kind)
                self.page_hash = body.page_script_hash
                if body.app_pages:
                    self.pages = {page.url_pathname: page.page_script_hash for page in body.app_pages}
                if kind == "new_session":  # a new run: what came before belongs to the previous one
                    self.max_cached_message_age = body.config.max_cached_message_age
                    elements.clear()
                    widgets.clear()
            elif kind == "page_info_changed":
                self.query = msg.page_info_changed.query_string
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element, path = msg.delta.new_element, tuple(msg.metadata.delta_path)
                elements[path] = element
                if wid := getattr(getattr(element, element.WhichOneof("type") or "", None), "id", ""):
                    widgets[wid] = (path[0], element)
            elif kind == "script_finished":
                status = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
                self.runs += 1
                self.cache = {k: (m, used) for k, (m, used) in self.cache.items()
                              if self.runs - used <= self.max_cached_message_age}
                if status == "FINISHED_EARLY_FOR_RERUN":
                    continue  # the app asked for a rerun (st.rerun); the analyst waits for that one
                self.widgets = widgets
                self.values = {wid: state for wid, state in self.values.items() if wid in widgets}
                ok = status == "FINISHED_SUCCESSFULLY"
                return Run(time.perf_counter() - start, (_page_error(elements) or "ok") if ok else status,
                           elements, frozenset(hashes))


def _page_error(elements: dict) -> str | None:
    """A run that finished but shows a traceback or an error box is an error page, not a page."""
    for element in elements.values():
        kind = element.WhichOneof("type")
        if kind == "exception":
            return f"exception: {element.exception.type}: {element.exception.message[:200]}"
        if kind == "alert" and element.alert.format == element.alert.ERROR:
            return f"error box: {element.alert.body[:200]}"
    return None


def _run(make_coroutine):
    """asyncio.run on a thread of its own: the caller may already run an event loop (Playwright's sync API)."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(lambda: asyncio.run(make_coroutine())).result()


def visit(base_url: str, url_path: str, years: tuple[int, int] | None = None) -> Run:
    """One analyst: the shared link on the home page, a switch to /URL_PATH, then (optionally) a year
    range set on the slider; the last run."""
    async def session_runs() -> Run:
        async with Session(base_url) as session:
            run = await session.open("", SHARED_LINK)
            run = await session.switch_page(url_path) if url_path else run
            return await session.set_years(*years) if years else run
    return _run(session_runs)


def warm_up(base_url: str) -> None:
    """A fresh server's first runs import plotly and open the database: one visit per page first."""
    for page in PAGES:
        visit(base_url, page.url_path)


def measure_page(url: str, pid: int, url_path: str, runs: int, warm: int) -> dict:
    """One page on bench's app server `pid` at `url`: a first run, then `runs` cold runs, each a new session after
    the app dropped its caches (browser.SERVE), then `warm` reruns of the last; the server's peak RSS meanwhile."""
    async def runs_of_page() -> dict:
        cold = []
        for n in range(runs + 1):  # the first, untimed, imports what the page needs
            if n:
                os.kill(pid, signal.SIGUSR1)
            async with Session(url) as session:
                cold.append(await session.open(url_path, ""))
                warmed = [await session.rerun() for _ in range(warm if n == runs else 0)]
        return {"cold": [r.seconds for r in cold[1:]], "warm": [r.seconds for r in warmed], **cold[-1].sent(),
                "error": "; ".join({r.status for r in cold + warmed} - {"ok"}) or None}

    peak_rss_mb(pid, reset=True)  # from what the server holds now: the pages before this one
    return {**_run(runs_of_page), "peak_rss_mb": peak_rss_mb(pid)}


def on_server(env: dict[str, str], sessions: int, seconds: float, log_path: Path) -> dict:
    """One load level on an app server of its own, warmed up."""
    with streamlit_server(ROOT / "dashboard.py", env, log_path) as (url, app):
        warm_up(url)
        return measure(url, [app.pid], sessions, seconds)


async def analyst(base_url: str, think: float, stop_at: float, rng: random.Random, log: list, delay: float) -> None:
    """One analyst: after `delay`, a link of its own (years Y to 2024) on a page, then every `think` s (±20 %)
    a page switch or a year-slider move in turn, until `stop_at`; appends (kind, seconds, status) to `log`."""
    await asyncio.sleep(delay)
    paths = [page.url_path for page in PAGES]
    try:
        async with Session(base_url) as session:
            current = rng.choice(paths)
            run = await session.open(current, f"years={rng.randint(1990, 2020)}&years=2024")
            log.append(("open", run.seconds, run.status))
            for step in itertools.count(1):
                wake = time.monotonic() + think * rng.uniform(0.8, 1.2)
                if wake >= stop_at:
                    return
                await asyncio.sleep(wake - time.monotonic())
                if step % 2:
                    current = rng.choice([path for path in paths if path != current])
                    run, kind = await session.switch_page(current), "page"
                else:
                    low, high = session.year_bounds()
                    year_from = rng.randint(low, high)
                    run, kind = await session.set_years(year_from, rng.randint(year_from, high)), "filter"
                log.append((kind, run.seconds, run.status))
    except TimeoutError:
        log.append(("error", TIMEOUT, f"no script_finished within {TIMEOUT:.0f} s"))
    except (OSError, websockets.WebSocketException, StopIteration, KeyError) as err:  # URLError is an OSError
        log.append(("error", 0.0, f"{type(err).__name__}: {err}"))


def latencies(seconds: list[float]) -> dict:
    """How many, their median, 95th percentile and maximum."""
    cuts = statistics.quantiles(seconds, n=20, method="inclusive") if len(seconds) > 1 else (seconds or [None]) * 19
    return {"n": len(seconds), "p50": cuts[9], "p95": cuts[18], "max": max(seconds, default=None)}


def measure(base_url: str, pids: list[int], sessions: int, seconds: float, think: float | None = None) -> dict:
    """One load level: N analysts arriving over the first `think` s, for `seconds`: latencies, errors, the servers'
    CPU and peak RSS (summed), and the client's CPU (a client short of it would report the server slower)."""
    check_bounds(sessions, seconds)
    think = think or (THINK if seconds >= 3 * THINK else seconds / 4)
    base_url, rng, log = loopback_url(base_url), random.Random(15), []
    servers = [psutil.Process(pid) for pid in pids]

    async def level():
        stop_at = time.monotonic() + seconds
        await asyncio.gather(*(analyst(base_url, think, stop_at, random.Random(rng.random()), log,
                                       think * n / sessions) for n in range(sessions)))

    def cpu() -> float:
        return sum(sum(p.cpu_times()[:2]) for p in servers)

    reset = [peak_rss_mb(pid, reset=True) for pid in pids]  # None for a process not ours to reset
    cpu_start, wall_start, client_start = cpu(), time.monotonic(), time.process_time()
    _run(level)
    server_cpu, wall, peaks = cpu() - cpu_start, time.monotonic() - wall_start, [peak_rss_mb(pid) for pid in pids]
    served = [(kind, s, status) for kind, s, status in log if kind in KINDS]
    errors = [status for _, _, status in log if status != "ok"]
    return {"sessions": sessions, "seconds": seconds, "think": think, "interactions": len(served),
            "errors": len(errors), "error_examples": list(dict.fromkeys(errors))[:3],
            **latencies([s for _, s, status in served if status == "ok"]),
            "by_kind": {kind: latencies([s for k, s, status in served if k == kind and status == "ok"])
                        for kind in KINDS},
            "server_cpu_s": server_cpu, "cpu_per_interaction": server_cpu / len(served) if served else None,
            "server_cores_busy": server_cpu / wall, "peak_rss_mb": None if None in reset + peaks else sum(peaks),
            "client_cpu_s": time.process_time() - client_start}


def listening_pid(base_url: str) -> int:
    """The pid of the process listening on the URL's port (the app, when no --pid is given)."""
    port = urlsplit(base_url).port
    for conn in psutil.net_connections(kind="tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port and conn.pid:
            return conn.pid
    raise LoadError(f"no process found listening on port {port}: pass --pid")
