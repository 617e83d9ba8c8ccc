"""What the app keeps between script runs, shared by every session: one read-only connection per
database file, query results, and the figures and tables built from them.

Every cached value is keyed on the database file's identity (path, mtime), so nothing outlives a
rebuild. Values are returned as they are, without copies: pages treat them as read-only (a test checks)."""

from __future__ import annotations

import gc
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

import duckdb
import orjson
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from defections.db import FIX_COMMAND, DatabaseError, connect, is_stale, unreadable
from defections.labels import plain
from defections.paths import db_path


class Memo:
    """A small thread-safe LRU that also tells under which key a value it holds is stored.

    st.cache_data hashes its arguments and unpickles a copy of the result on every call, which made
    a warm page ~2x the cost of the same elements drawn from memory. Here keys are plain tuples and
    values are returned as they are. cachetools (8.0.2) was tried in its place: its LRUCache behind the
    same lock took 11-13 µs a hit against this class's 0.5-2.4 µs (a micro-benchmark on a loaded
    machine, 1 December 2026), and it has no key_of (a figure is cached by the queries its frames came
    from), which would still need this reverse map kept in step with every eviction."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict = OrderedDict()
        self._key_of: dict[int, object] = {}  # id(value) -> key, for the values held
        self._lock = threading.Lock()

    def get(self, key, make: Callable):
        """The value stored under key, made (outside the lock) and stored if absent."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = make()  # outside the lock: a slow query must not hold up other sessions
        with self._lock:
            value = self._entries.setdefault(key, value)  # a concurrent miss keeps the first value
            self._key_of[id(value)] = key
            while len(self._entries) > self.max_entries:
                _, evicted = self._entries.popitem(last=False)
                self._key_of.pop(id(evicted), None)
        return value

    def key_of(self, value):
        """The key a value held here is stored under, or None."""
        with self._lock:
            key = self._key_of.get(id(value))
            return key if key is not None and self._entries.get(key) is value else None

    def items(self) -> list[tuple]:
        """A snapshot of (key, value) pairs, oldest first."""
        with self._lock:
            return list(self._entries.items())

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._key_of.clear()


# Everything imported by now (Streamlit, plotly's validators, pandas, DuckDB) lives as long as the
# server. Frozen, Python's full collections stop walking it, which held every session under load;
# objects made later (the caches below) are still collected (docs/benchmarks.md, "Behind the code").
gc.freeze()

# Query results: a warm page runs no SQL.
RESULTS = Memo(max_entries=512)
# Built from RESULTS: plotly figures as sent (building and encoding one can cost more than its query),
# the Arrow tables st.dataframe sends (most of its cost) and a selectbox's labels.
RENDERED = Memo(max_entries=256)
# One connection per database file: opening one attaches it and checks its version and size.
CONNECTIONS = Memo(max_entries=2)

# The database file's identity as this script run's first query found it: one run reads one file,
# and a query need not stat the file again.
_THIS_RUN = threading.local()


# How long a database found fresh stays so without another look at the seeds: their signature (a stat of
# every seed file) was the largest fixed cost of a page run, and an edit is still seen within a second.
SEEDS_LOOK_EVERY = 1.0
_FRESH_UNTIL: dict[tuple[str, str], float] = {}


def stale(path: Path, seeds: Path) -> bool:
    """db.is_stale(path, seeds), looked up at most once every SEEDS_LOOK_EVERY seconds per database and
    seeds folder while the answer is "fresh" (a stale database is looked at on every run until rebuilt)."""
    key = (str(path), str(seeds))
    if time.monotonic() < _FRESH_UNTIL.get(key, 0.0):
        return False
    found = is_stale(path, seeds)
    if not found:
        _FRESH_UNTIL[key] = time.monotonic() + SEEDS_LOOK_EVERY
    return found


def remember_database(path: Path) -> None:
    """Note the database file this script run reads (after the app checked it is fresh)."""
    _THIS_RUN.db = _identity(path)
    connection()


def _database() -> tuple[str, int]:
    known = getattr(_THIS_RUN, "db", None)
    if known is not None and known[0] == str(db_path()):
        return known
    return _identity(db_path())


def _identity(path: Path) -> tuple[str, int]:
    return str(path), path.stat().st_mtime_ns


def connection(database: tuple[str, int] | None = None):
    """The shared read-only connection to the database file; a rebuilt file (new mtime) gets a new one,
    and the old one is closed by garbage collection once no running query holds it."""
    path, mtime_ns = database or _database()
    try:
        return CONNECTIONS.get((path, mtime_ns), lambda: connect(Path(path)))
    except (DatabaseError, OSError) as err:
        stop_unusable(err)


def clear() -> None:
    """Forget every cached result, figure and connection (the benchmark's cold runs)."""
    RESULTS.clear()
    RENDERED.clear()
    CONNECTIONS.clear()
    _FRESH_UNTIL.clear()


def cached(function: Callable, *args):
    """The result of queries.function(connection, *args) (a DataFrame, or whatever the function returns),
    cached on the database file and the arguments.

    The result is shared: derive new frames from it, never modify it in place."""
    database = _database()
    return RESULTS.get((*database, function.__name__, args), lambda: _call(database, function, args))


def uncached(function: Callable, *args):
    """The result of queries.function(connection, *args), run afresh and not kept (a large one-off result such as a
    download, produced on a click that may come long after the page ran)."""
    return _call(_identity(db_path()), function, args)


def _call(database: tuple[str, int], function: Callable, args: tuple):
    # A file can open and still fail a query (garbage blocks in the middle): the page then says so
    # with the fix command, as for a file that does not open.
    try:
        return function(connection(database), *args)
    except DatabaseError as err:
        stop_unusable(err)
    except duckdb.Error as err:
        stop_unusable(unreadable(Path(database[0]), err))


def stop_unusable(err: Exception):
    """Stop the page with what is wrong with the database and the command that fixes it (none when the
    fix is not a rebuild: a folder or a device named as the database, a file held open by another program)."""
    st.error(plain(err))
    fix = getattr(err, "fix", FIX_COMMAND)
    if fix:
        st.code(fix, language="bash")
    st.stop()


def figure(builder: Callable, frames: tuple) -> go.Figure:
    """builder(*frames) (a charts.* dict) as the figure st.plotly_chart sends, built once per distinct
    data: a rerun with the same results (any widget click) reuses it, keyed by the queries its frames
    came from. A frame that did not come from cached() is drawn afresh. Figures are never modified after
    they are built."""
    keys = tuple(None if frame is None else RESULTS.key_of(frame) for frame in frames)
    if any(key is None for key, frame in zip(keys, frames) if frame is not None):
        return _Sent(builder(*frames))
    return RENDERED.get((builder.__name__, *keys), lambda: _Sent(builder(*frames)))


def derived(kind: tuple, frame, make: Callable):
    """make(), kept with a cached result `frame` under `kind` (e.g. ("table", columns)); made afresh
    for a frame that did not come from cached()."""
    key = RESULTS.key_of(frame)
    return make() if key is None else RENDERED.get((*kind, key), make)


def kept(function: Callable, frame):
    """function(frame) (the lines a page writes from a cached result), kept with the result: a rerun with
    the same result (a page switch, any click) reuses them instead of walking the rows again."""
    return derived((function.__name__,), frame, lambda: function(frame))


class _Sent(go.Figure):
    """A charts.* figure held as the JSON-ready dict st.plotly_chart sends, never validated again (see
    charts). Streamlit would build a go.Figure from a dict and deep-copy it into a dict on every run
    (1-2 ms a chart, more for the validation); this figure hands over the dict made once, which nothing
    modifies (it holds no arrays left to encode)."""

    def __init__(self, spec: dict) -> None:
        super().__init__()
        # orjson directly, not through plotly.io.to_json, whose walk over the dict in Python cost most of
        # it: the same dict (a test compares every chart), a quarter of the CPU (docs/benchmarks.md).
        self._sent = orjson.loads(orjson.dumps(spec, default=_json_ready, option=orjson.OPT_SERIALIZE_NUMPY))

    def to_dict(self) -> dict:
        return self._sent


def _json_ready(value):
    """orjson's fallback for what a builder's dict holds beyond JSON and numpy: pandas columns and times."""
    if isinstance(value, pd.Series | pd.Index | pd.api.extensions.ExtensionArray):
        return value.tolist()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if value is pd.NaT or value is pd.NA:
        return None
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
