"""python -m bench.load: N simulated analysts on a running dashboard, over Streamlit's own websocket
protocol (`/_stcore/stream`), with no browser: a browser-driven load test on one machine measures
Chromium, not the app (issue 15: five tabs cost the server 15 s of CPU and Chromium 150 s).

Each session opens a shared link as a browser does (the same BackMsg rerun_script, with the URL's
query string, the page's name and, later, the page's script hash, the widget states and the hashes of
the messages it holds), waits for the run to finish, then every T seconds changes the year filter or
switches page. Reports per interaction p50/p95/max latency (send to script_finished), errors, the
server's CPU seconds per interaction and its peak RSS. Loopback only; N and the duration are bounded.

    python -m bench.load                          # starts the app on the curated database; N = 1,10,50,100
    python -m bench.load --sessions 5 --seconds 5 # one short level
    python -m bench.load --url http://127.0.0.1:8080 --pid 1234 --pid 1235   # a running app or proxy
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import ipaddress
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import psutil
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from defections.registry import PAGES

MAX_SESSIONS = 200  # a bound, not a target: the machine, not the app, is measured beyond it
MAX_SECONDS = 1800
LEVELS = (1, 10, 50, 100)
SLOW = 2.0  # the p95 (seconds) the sweep looks for
TIMEOUT = 120.0  # one interaction's bound; beyond it the interaction counts as an error
SHARED_LINK = "years=2016&years=2024"  # a link an analyst pastes: a year range, as the README shows
SIDEBAR = 1  # delta_path[0] of the sidebar container (0 is the main area)
YEARS_LABEL = "Year of defection"


class LoadError(Exception):
    """Bad input (a host that is not loopback, bounds exceeded): a message, never a traceback."""


def loopback_url(url: str) -> str:
    """The base URL if its host is this machine; the client refuses to load anyone else's server."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in {"http", "https"} or not host:
        raise LoadError(f"{url!r} is not an http:// URL")
    try:
        local = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = False
    if not local:
        raise LoadError(f"refusing to load {host}: the load client drives loopback servers only (127.0.0.1, ::1)")
    return url.rstrip("/")


@dataclasses.dataclass
class Run:
    """What one script run sent: its elements in order (delta path -> element), its end, its time."""

    seconds: float
    status: str  # "ok" or what went wrong
    elements: dict[tuple, object]
    page_hash: str
    hashes: frozenset = frozenset()  # the cacheable messages it sent or referenced

    def texts(self, kind: str) -> list[str]:
        """The bodies of the elements of one kind ("markdown", "title"), in page order."""
        found = []
        for path in sorted(self.elements):
            element = self.elements[path]
            if element.WhichOneof("type") == kind:
                found.append(getattr(element, kind).body)
        return found

    def kinds(self) -> list[str]:
        return [self.elements[path].WhichOneof("type") for path in sorted(self.elements)]

    def metrics(self) -> list[str]:
        """The values of the page's st.metric figures, in page order."""
        return [self.elements[path].metric.body for path in sorted(self.elements)
                if self.elements[path].WhichOneof("type") == "metric"]


class Session:
    """One browser tab's conversation with the app: a websocket, the pages the app announced, the
    widgets of the last run and the cache of large messages (the browser's ForwardMsg cache)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = loopback_url(base_url)
        self.socket = None
        self.pages: dict[str, str] = {}  # url path ("" for home) -> page script hash
        self.page_hash = ""
        self.query = ""
        self.widgets: dict[str, tuple[int, object]] = {}  # widget id -> (container, element)
        self.values: dict[str, WidgetState] = {}  # what the browser's widget manager holds
        # The browser's ForwardMsg cache: hash -> (message, the run that last sent or referenced it).
        # Like the browser, it forgets a message unused for more than max_cached_message_age runs; a
        # cache that only grows would let the server send references for messages a tab no longer holds.
        self.cache: dict[str, tuple[ForwardMsg, int]] = {}
        self.runs = 0
        self.max_cached_message_age = 2  # Streamlit's default; new_session says the server's value

    async def connect(self) -> None:
        """Load the HTML page, then open the websocket with the cookies it set, as a browser does: a
        sticky proxy (deploy/) puts the session on the replica its cookie names."""
        cookies = await asyncio.to_thread(_page_cookies, self.base_url + "/")
        parts = urlsplit(self.base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        self.socket = await websockets.connect(
            f"{scheme}://{parts.netloc}{parts.path}/_stcore/stream", subprotocols=["streamlit"],
            origin=f"{parts.scheme}://{parts.netloc}", max_size=None, open_timeout=TIMEOUT, ping_interval=None,
            additional_headers={"Cookie": cookies} if cookies else None)

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()

    async def open(self, url_path: str, query: str) -> Run:
        """A fresh tab on /URL_PATH?QUERY: the page is named by its path, its hash is not known yet."""
        self.query = query
        return await self._rerun(page_hash="", page_name=url_path, states=[])

    async def switch_page(self, url_path: str) -> Run:
        """A click on the sidebar's navigation: the target's hash, the sidebar's widget states."""
        states = [state for wid, state in self.values.items() if self.widgets.get(wid, (None,))[0] == SIDEBAR]
        return await self._rerun(page_hash=self.pages[url_path], page_name="", states=states)

    def year_bounds(self) -> tuple[int, int, tuple[int, int]]:
        """(min, max, current) of the sidebar's year slider."""
        slider = next(element.slider for _, element in self.widgets.values()
                      if element.WhichOneof("type") == "slider" and element.slider.label == YEARS_LABEL)
        current = self.values.get(slider.id)
        values = current.double_array_value.data if current else slider.default
        value = tuple(int(v) for v in values)
        return int(slider.min), int(slider.max), value

    async def set_years(self, year_from: int, year_to: int) -> Run:
        """Drag the year slider: its new value in the widget states, and in the URL (bound to ?years=)."""
        slider = next(element.slider for _, element in self.widgets.values()
                      if element.WhichOneof("type") == "slider" and element.slider.label == YEARS_LABEL)
        state = WidgetState(id=slider.id)
        state.double_array_value.data.extend([float(year_from), float(year_to)])
        self.values[slider.id] = state
        kept = [(key, value) for key, value in parse_qsl(self.query, keep_blank_values=True) if key != "years"]
        self.query = urlencode([*kept, ("years", year_from), ("years", year_to)])
        return await self._rerun(page_hash=self.page_hash, page_name="", states=list(self.values.values()))

    async def _rerun(self, page_hash: str, page_name: str, states: list[WidgetState]) -> Run:
        message = BackMsg()
        client = message.rerun_script
        client.query_string = self.query
        client.page_script_hash = page_hash
        client.page_name = page_name
        client.widget_states.widgets.extend(states)
        client.cached_message_hashes.extend(self.cache)
        client.context_info.timezone = "UTC"
        client.context_info.timezone_offset = 0
        client.context_info.locale = "en-US"
        client.context_info.url = f"{self.base_url}/{page_name}" + (f"?{self.query}" if self.query else "")
        client.context_info.color_scheme = "light"
        start = time.perf_counter()
        await self.socket.send(message.SerializeToString())
        return await asyncio.wait_for(self._until_finished(start), TIMEOUT)

    async def _until_finished(self, start: float) -> Run:
        elements: dict[tuple, object] = {}
        widgets: dict[str, tuple[int, object]] = {}
        hashes = set()
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(await self.socket.recv())
            if msg.HasField("ref_hash"):
                held = self.cache.get(msg.ref_hash)
                if held is None:
                    return Run(time.perf_counter() - start, f"unknown cached message {msg.ref_hash}", elements, "")
                self.cache[msg.ref_hash] = (held[0], self.runs)
                hashes.add(msg.ref_hash)
                metadata = msg.metadata
                msg = ForwardMsg()
                msg.CopyFrom(held[0])
                msg.metadata.CopyFrom(metadata)
            elif msg.metadata.cacheable and msg.hash:
                self.cache[msg.hash] = (msg, self.runs)
                hashes.add(msg.hash)
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                self.page_hash = msg.new_session.page_script_hash
                self.max_cached_message_age = msg.new_session.config.max_cached_message_age
                self._learn_pages(msg.new_session.app_pages)
                elements.clear()  # a new run: what came before belongs to the previous one
                widgets.clear()
            elif kind == "navigation":
                self.page_hash = msg.navigation.page_script_hash
                self._learn_pages(msg.navigation.app_pages)
            elif kind == "page_info_changed":
                self.query = msg.page_info_changed.query_string
            elif kind == "page_not_found":
                return Run(time.perf_counter() - start, "page not found", elements, self.page_hash)
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                path = tuple(msg.metadata.delta_path)
                elements[path] = element
                widget = getattr(element, element.WhichOneof("type") or "", None)
                if getattr(widget, "id", ""):
                    widgets[widget.id] = (path[0], element)
            elif kind == "script_finished":
                status = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
                self._age_cache()
                if status == "FINISHED_EARLY_FOR_RERUN":
                    continue  # the app asked for a rerun (st.rerun); the analyst waits for that one
                self.widgets = widgets
                self.values = {wid: state for wid, state in self.values.items() if wid in widgets}
                seconds = time.perf_counter() - start
                if status != "FINISHED_SUCCESSFULLY":
                    return Run(seconds, status, elements, self.page_hash, frozenset(hashes))
                return Run(seconds, _page_error(elements) or "ok", elements, self.page_hash, frozenset(hashes))

    def held_hashes(self) -> set[str]:
        """The hashes the next rerun request offers: the messages this tab still holds."""
        return set(self.cache)

    def _age_cache(self) -> None:
        self.runs += 1
        self.cache = {key: (msg, used) for key, (msg, used) in self.cache.items()
                      if self.runs - used <= self.max_cached_message_age}

    def _learn_pages(self, app_pages) -> None:
        if app_pages:
            self.pages = {page.url_pathname: page.page_script_hash for page in app_pages}


def _page_cookies(url: str) -> str:
    """GET the app's page; its Set-Cookie headers as one Cookie header value."""
    with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
        response.read()
        return "; ".join(header.split(";", 1)[0] for header in response.headers.get_all("Set-Cookie") or [])


def _page_error(elements: dict) -> str | None:
    """A run that finished but shows a traceback or an error box is an error page, not a page."""
    for element in elements.values():
        kind = element.WhichOneof("type")
        if kind == "exception":
            return f"exception: {element.exception.type}: {element.exception.message[:200]}"
        if kind == "alert" and element.alert.format == element.alert.ERROR:
            return f"error box: {element.alert.body[:200]}"
    return None


@dataclasses.dataclass
class Interaction:
    kind: str  # open, page, filter
    seconds: float
    status: str
    finished: float = dataclasses.field(default_factory=time.monotonic)  # when the answer was complete


async def analyst(base_url: str, think: float, stop_at: float, rng: random.Random, log: list[Interaction]) -> None:
    """One simulated analyst: open the shared link on a page, then every `think` seconds switch page
    or move the year slider, alternately, until `stop_at`."""
    session = Session(base_url)
    paths = [page.url_path for page in PAGES]
    try:
        await session.connect()
        start_page = rng.choice(paths)
        run = await session.open(start_page, SHARED_LINK)
        log.append(Interaction("open", run.seconds, run.status))
        current, step = start_page, 0
        while True:
            wake = time.monotonic() + think * rng.uniform(0.8, 1.2)
            if wake >= stop_at:
                return
            await asyncio.sleep(wake - time.monotonic())
            step += 1
            if step % 2:
                current = rng.choice([path for path in paths if path != current])
                run = await session.switch_page(current)
                log.append(Interaction("page", run.seconds, run.status))
            else:
                low, high, _ = session.year_bounds()
                year_from = rng.randint(low, high)
                run = await session.set_years(year_from, rng.randint(year_from, high))
                log.append(Interaction("filter", run.seconds, run.status))
    except TimeoutError:
        log.append(Interaction("timeout", TIMEOUT, f"no script_finished within {TIMEOUT:.0f} s"))
    except (OSError, websockets.WebSocketException, StopIteration, KeyError) as err:  # URLError is an OSError
        log.append(Interaction("error", 0.0, f"{type(err).__name__}: {err}"))
    finally:
        await session.close()


async def _visit(base_url: str, url_path: str, query: str, years: tuple[int, int] | None) -> Run:
    session = Session(base_url)
    await session.connect()
    try:
        run = await session.open("", query)
        if url_path:
            run = await session.switch_page(url_path)
        if years:
            run = await session.set_years(*years)
        return run
    finally:
        await session.close()


def visit(base_url: str, url_path: str, query: str = SHARED_LINK, years: tuple[int, int] | None = None) -> Run:
    """One analyst: the shared link on the home page, a switch to /URL_PATH, then (optionally) a year
    range set on the slider; the last run, to compare with what AppTest renders."""
    return _run(lambda: _visit(base_url, url_path, query, years))


async def _reruns(base_url: str, url_path: str, years: list[tuple[int, int]]) -> list[Run]:
    session = Session(base_url)
    await session.connect()
    try:
        await session.open(url_path, SHARED_LINK)
        return [await session.set_years(*pair) for pair in years]
    finally:
        await session.close()


def rerun_costs(base_url: str, pids: list[int], reruns: int = 10, seed: int = 15) -> list[dict]:
    """What one rerun of each page costs the server, as a session sees it: server CPU and latency of
    `reruns` slider moves to a year range the app has already answered (its cache) and to new ones."""
    rng = random.Random(seed)
    low, high = (int(year) for _, year in parse_qsl(SHARED_LINK))  # the range the shared link opens on
    rows = []
    for page in PAGES:
        row = {"page": page.name}
        fresh = []
        while len(fresh) < reruns:  # ranges not asked before in this process's run
            start = rng.randint(1950, 2024)
            fresh.append((start, rng.randint(start, 2024)))
        for kind, years in (("cached", [(low, high)] * reruns), ("new", fresh)):
            with ServerWatch(pids) as watch:
                runs = _run(lambda path=page.url_path, years=years: _reruns(base_url, path, years))
            bad = [run.status for run in runs if run.status != "ok"]
            if bad:
                raise LoadError(f"{page.name}: {bad[0]}")
            # The session's open and its close are in the window too; a rerun is the bulk of it.
            row[f"{kind}_cpu_s"] = watch.cpu / len(runs)
            row[f"{kind}_p50_s"] = percentile([run.seconds for run in runs], 0.5)
        rows.append(row)
    return rows


def rerun_table(rows: list[dict]) -> str:
    """The per-page rerun costs in markdown."""
    lines = ["| page | cached: server CPU s / rerun | cached: p50 s | new range: server CPU s / rerun "
             "| new range: p50 s |",
             "|---|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['page']} | {r['cached_cpu_s']:.3f} | {r['cached_p50_s']:.3f} | {r['new_cpu_s']:.3f} "
                     f"| {r['new_p50_s']:.3f} |")
    return "\n".join(lines)


def _run(make_coroutine):
    """asyncio.run on a thread of its own: the caller may already run an event loop (Playwright's sync API)."""
    result = {}

    def target():
        try:
            result["value"] = asyncio.run(make_coroutine())
        except BaseException as err:  # noqa: BLE001 - re-raised in the caller's thread
            result["error"] = err

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["value"]


class ServerWatch:
    """CPU seconds and peak RSS of the server processes (psutil), sampled on a thread."""

    def __init__(self, pids: list[int], every: float = 0.25) -> None:
        self.processes = [psutil.Process(pid) for pid in pids]
        self.every = every
        self.peak_rss = 0
        self.samples: list[tuple[float, int, float]] = []  # (seconds since start, RSS, CPU seconds used)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _cpu(self) -> float:
        return sum(sum(p.cpu_times()[:2]) for p in self.processes)

    def _rss(self) -> int:
        return sum(p.memory_info().rss for p in self.processes)

    def __enter__(self):
        self.cpu_start, self.wall_start = self._cpu(), time.monotonic()
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(self.every):
            rss = self._rss()
            self.peak_rss = max(self.peak_rss, rss)
            self.samples.append((time.monotonic() - self.wall_start, rss, self._cpu() - self.cpu_start))

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.cpu = self._cpu() - self.cpu_start
        self.wall = time.monotonic() - self.wall_start
        self.peak_rss = max(self.peak_rss, self._rss())


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


async def _level(base_url: str, sessions: int, seconds: float, think: float, seed: int) -> list[Interaction]:
    log: list[Interaction] = []
    rng = random.Random(seed)
    stop_at = time.monotonic() + seconds
    tasks = []
    for number in range(sessions):
        # Analysts arrive over the first think time, not in one instant.
        tasks.append(asyncio.create_task(_arrive(base_url, think, stop_at, random.Random(rng.random()), log,
                                                 delay=think * number / sessions)))
    await asyncio.gather(*tasks)
    return log


async def _arrive(base_url, think, stop_at, rng, log, delay) -> None:
    await asyncio.sleep(delay)
    await analyst(base_url, think, stop_at, rng, log)


def check_bounds(sessions: int, seconds: float) -> None:
    """Refuse a load the client is not meant to make."""
    if not 1 <= sessions <= MAX_SESSIONS:
        raise LoadError(f"sessions must be between 1 and {MAX_SESSIONS} (got {sessions})")
    if not 0 < seconds <= MAX_SECONDS:
        raise LoadError(f"seconds must be between 0 and {MAX_SECONDS} (got {seconds})")


def measure(base_url: str, pids: list[int], sessions: int, seconds: float, think: float = 5.0,
            seed: int = 15) -> dict:
    """One load level: N sessions for `seconds`, interacting every `think` seconds; the summary."""
    check_bounds(sessions, seconds)
    base_url = loopback_url(base_url)
    client_cpu = time.process_time()
    with ServerWatch(pids) as watch:
        log = _run(lambda: _level(base_url, sessions, seconds, think, seed))
    # The client's own CPU: a client short of CPU would report the server slower than it is.
    return {**summary(sessions, seconds, log, watch), "client_cpu_s": time.process_time() - client_cpu}


def summary(sessions: int, seconds: float, log: list[Interaction], watch: ServerWatch) -> dict:
    served = [i for i in log if i.kind in {"open", "page", "filter"}]
    ok = [i.seconds for i in served if i.status == "ok"]
    errors = [i.status for i in log if i.status != "ok"]
    by_kind = {}
    for kind in ("open", "page", "filter"):
        times = [i.seconds for i in served if i.kind == kind and i.status == "ok"]
        by_kind[kind] = {"n": len(times), "p50": percentile(times, 0.5), "p95": percentile(times, 0.95)}
    rss = [r for _, r, _ in watch.samples]
    half = len(rss) // 2
    return {"sessions": sessions, "seconds": seconds, "interactions": len(served), "errors": len(errors),
            "error_examples": list(dict.fromkeys(errors))[:3],
            "p50": percentile(ok, 0.5), "p95": percentile(ok, 0.95), "max": max(ok, default=None),
            "by_kind": by_kind, "server_cpu_s": watch.cpu, "wall_s": watch.wall,
            "cpu_per_interaction": watch.cpu / len(served) if served else None,
            "server_cores_busy": watch.cpu / watch.wall if watch.wall else None,
            "peak_rss_mb": watch.peak_rss / 2**20,
            # Memory flat or growing: the mean RSS of the second half of the run against the first's.
            "rss_first_half_mb": statistics.mean(rss[:half]) / 2**20 if half else None,
            "rss_second_half_mb": statistics.mean(rss[half:]) / 2**20 if half else None,
            "by_minute": by_minute(log, watch)}


def by_minute(log: list[Interaction], watch: ServerWatch) -> list[dict]:
    """Each whole minute of a run: interactions answered in it, their p50/p95, the server's CPU per
    interaction and its peak RSS. A long run shows whether cost or memory drift, and when."""
    minutes = []
    for minute in range(int(watch.wall // 60)):
        low, high = minute * 60, minute * 60 + 60
        inside = [s for s in watch.samples if low <= s[0] < high]
        answered = [i.seconds for i in log if i.status == "ok" and low <= i.finished - watch.wall_start < high]
        if not inside or not answered:
            continue
        before = [s for s in watch.samples if s[0] < low]
        cpu = inside[-1][2] - (before[-1][2] if before else 0.0)
        minutes.append({"minute": minute + 1, "interactions": len(answered), "p50": percentile(answered, 0.5),
                        "p95": percentile(answered, 0.95), "cpu_per_interaction": cpu / len(answered),
                        "peak_rss_mb": max(r for _, r, _ in inside) / 2**20})
    return minutes


def minute_table(result: dict) -> str:
    """The per-minute rows of one level, in markdown."""
    lines = ["| minute | interactions | p50 s | p95 s | server CPU s / interaction | peak RSS MB |",
             "|---:|---:|---:|---:|---:|---:|"]
    for m in result["by_minute"]:
        lines.append(f"| {m['minute']} | {m['interactions']} | {m['p50']:.2f} | {m['p95']:.2f} "
                     f"| {m['cpu_per_interaction']:.3f} | {m['peak_rss_mb']:.0f} |")
    return "\n".join(lines)


def table(results: list[dict]) -> str:
    """The load table in markdown."""
    def s(value, digits=2):
        return "–" if value is None else f"{value:.{digits}f}"

    lines = ["| sessions | interactions | p50 s | p95 s | max s | errors | server CPU s / interaction "
             "| cores busy | peak RSS MB | client CPU s |", "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['sessions']} | {r['interactions']} | {s(r['p50'])} | {s(r['p95'])} | {s(r['max'])} "
                     f"| {r['errors']} | {s(r['cpu_per_interaction'], 3)} | {s(r['server_cores_busy'])} "
                     f"| {s(r['peak_rss_mb'], 0)} | {s(r.get('client_cpu_s'), 1)} |")
    return "\n".join(lines)


def slow_from(results: list[dict], slow: float = SLOW) -> str:
    """The N at which p95 first passes `slow` seconds, as far as the levels measured tell."""
    below = None
    for r in sorted(results, key=lambda r: r["sessions"]):
        if r["p95"] is None or r["p95"] > slow or r["errors"]:
            return (f"p95 passes {slow:g} s at N = {r['sessions']}"
                    + (f" (still ≤ {slow:g} s at N = {below})" if below else ""))
        below = r["sessions"]
    return f"p95 stays ≤ {slow:g} s up to N = {below}"


def listening_pid(base_url: str) -> int:
    """The pid of the process listening on the URL's port (the app, when no --pid is given)."""
    port = urlsplit(base_url).port
    for conn in psutil.net_connections(kind="tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port and conn.pid:
            return conn.pid
    raise LoadError(f"no process found listening on port {port}: pass --pid")


def start_app(stack: ExitStack, db: Path | None, env: dict[str, str]) -> tuple[str, int]:
    """The dashboard on a free loopback port against `db` (built from the curated seeds if None)."""
    from bench.browser import streamlit_server
    from defections.build import build
    from defections.paths import ROOT, SEEDS_DIR

    folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-load-")))
    if db is None:
        db = build(SEEDS_DIR, folder / "defections.duckdb")
    (folder / "no-seeds").mkdir()  # as on a replica: nothing is newer than the database, no rebuild
    url, process = stack.enter_context(streamlit_server(
        ROOT / "dashboard.py", {"DEFECTIONS_DB": str(db), "DEFECTIONS_SEEDS": str(folder / "no-seeds"), **env},
        folder / "streamlit.log"))
    return url, process.pid


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running app or proxy on loopback (default: start the app here)")
    parser.add_argument("--pid", type=int, action="append", default=[],
                        help="a server process to watch (repeat for replicas; default: the one on --url's port)")
    parser.add_argument("--db", type=Path, help="the database the started app reads (default: built from seeds/)")
    parser.add_argument("--sessions", default=",".join(map(str, LEVELS)), help="levels of N, e.g. 1,10,50,100")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long each level runs")
    parser.add_argument("--think", type=float, default=5.0, help="seconds between one session's interactions")
    parser.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE",
                        help="environment of the started app, e.g. STREAMLIT_RUNNER_POST_SCRIPT_GC=false")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--per-page", type=int, metavar="RERUNS", default=0,
                        help="instead of load levels: what one rerun of each page costs the server (RERUNS each)")
    args = parser.parse_args(argv)
    try:
        levels = [int(n) for n in args.sessions.split(",") if n.strip()]
        env = dict(item.split("=", 1) for item in args.server_env)
    except ValueError:
        print("bench.load: --sessions takes numbers like 1,10,50 and --server-env NAME=VALUE", file=sys.stderr)
        return 2
    try:
        for sessions in levels:
            check_bounds(sessions, args.seconds)
        with ExitStack() as stack:
            if args.url:
                url = loopback_url(args.url)
                pids = args.pid or [listening_pid(url)]
            else:
                url, pid = start_app(stack, args.db, env)
                pids = [pid]
            # A fresh server's first runs import plotly and open the database: one visit per page
            # first, so that N = 1 measures a page switch and not the server's start.
            for page in PAGES:
                visit(url, page.url_path)
            if args.per_page:
                rows = rerun_costs(url, pids, args.per_page)
                print(rerun_table(rows))
                if args.json:
                    args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
                return 0
            results = []
            for sessions in levels:
                print(f"bench.load: {sessions} session(s) for {args.seconds:g} s on {url} …", file=sys.stderr,
                      flush=True)
                results.append(measure(url, pids, sessions, args.seconds, args.think))
                for example in results[-1]["error_examples"]:
                    print(f"bench.load:   error: {example}", file=sys.stderr)
    except (LoadError, psutil.Error, OSError, websockets.WebSocketException) as err:
        print(f"bench.load: {err}", file=sys.stderr)
        return 2
    print(table(results))
    for result in results:
        if len(result["by_minute"]) >= 2:
            print(f"\nBy minute, {result['sessions']} session(s):\n{minute_table(result)}")
    print(f"\n{slow_from(results)}; each session interacts every {args.think:g} s for {args.seconds:g} s "
          f"({os.cpu_count()} cores).")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 1 if any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
