"""Shared fixtures: one database built from the real seeds, once per test session (per xdist worker); one
app server and one Chromium, on the worker whose tests need them (see SERVER_GROUPS)."""

from __future__ import annotations

import functools
import os
import shutil
from pathlib import Path

import pytest
from helpers import keep_only_defections

from defections.build import build
from defections.db import connect, is_stale
from defections.paths import SEEDS_DIR

ROOT = Path(__file__).resolve().parent.parent
# The tests that drive a running server, by the server they drive: under pytest-xdist's --dist loadgroup
# (pyproject.toml) the tests of one group run on one worker, so its server starts once in the whole run
# (the app for test_browser/test_load/test_server, the two replicas and nginx for test_proxy, the app on
# hostile seeds for test_hostile_input's browser test), and the groups and the AppTest and database tests
# share out the two workers. Chromium starts on each worker that runs a group needing it. The app's tests
# are one group (they were two while test_browser alone took 150 s: each worker ran an app and warmed a
# browser context of its own for it, about 10 CPU-s more).
SERVER_GROUPS = {"proxied": "proxy", "hostile_url": "hostile", "app_url": "app"}  # first match wins
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")  # gw0, gw1, ... under xdist


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups
def pytest_collection_modifyitems(items):
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        group = next((group for fixture, group in SERVER_GROUPS.items() if fixture in fixtures), None)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(scope="session", autouse=True)
def one_component_scan():
    """Each new AppTest's first run scans the metadata of every installed distribution for Streamlit
    components (streamlit 1.67: 0.045 CPU-s, about 290 times in a run of the suite, 13 CPU-s); no public
    option skips or shares the scan. Nothing is installed during a run, so one scan per worker serves all."""
    from streamlit.components.v2 import manifest_scanner

    mp = pytest.MonkeyPatch()
    mp.setattr(manifest_scanner, "scan_component_manifests", functools.cache(manifest_scanner.scan_component_manifests))
    yield
    mp.undo()


@pytest.fixture(scope="session")
def db_path(tmp_path_factory) -> Path:
    """The real seeds, snapshotted and built into a temporary database; DEFECTIONS_DB and
    DEFECTIONS_SEEDS point the app at them for the whole run (an edit to seeds/ mid-run changes nothing)."""
    folder = tmp_path_factory.mktemp("db")
    snapshot = folder / "seeds"
    shutil.copytree(SEEDS_DIR, snapshot)
    path = folder / "defections.duckdb"
    build(snapshot, path)
    mp = pytest.MonkeyPatch()
    mp.setenv("DEFECTIONS_DB", str(path))
    mp.setenv("DEFECTIONS_SEEDS", str(snapshot))
    yield path
    mp.undo()


@pytest.fixture(scope="session")
def con(db_path):
    """A read-only connection to the session database."""
    connection = connect(db_path)
    yield connection
    connection.close()


@pytest.fixture
def seeds_copy(db_path, tmp_path) -> Path:
    """A private copy of the real seeds (the session's snapshot of them, which db_path was built from), for
    tests that break them."""
    target = tmp_path / "seeds"
    shutil.copytree(db_path.parent / "seeds", target)
    return target


@pytest.fixture
def built_copy(db_path, seeds_copy):
    """built_copy(path): what build(seeds_copy, path) writes. While seeds_copy is still the seeds db_path was
    built from (nothing changed yet, as the staleness check finds), a copy of the session's database: a build
    costs about 2 CPU-s, a copy a few ms. For tests whose subject is what follows the first build (a rebuild,
    a refused build, the app on that file); test_build checks the build itself."""

    def copy(path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(db_path, path)
        if is_stale(path, seeds_copy):  # the test changed the seeds first (test_release's as_released can)
            build(seeds_copy, path)
        return path

    return copy


def _seeds_with(tmp_path_factory, name: str, event_ids: set[str]) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp(name)
    shutil.copytree(SEEDS_DIR, folder / "seeds")
    keep_only_defections(folder / "seeds", event_ids)
    return folder / "seeds", build(folder / "seeds", folder / "defections.duckdb")


@pytest.fixture(scope="session")
def no_defections(tmp_path_factory) -> tuple[Path, Path]:
    """(seeds, database) that validate and build but hold no defection."""
    return _seeds_with(tmp_path_factory, "no_defections", set())


@pytest.fixture(scope="session")
def one_defection(tmp_path_factory) -> tuple[Path, Path]:
    """(seeds, database) holding one defection (Ri Il Kyu, November 2023): one year of data."""
    return _seeds_with(tmp_path_factory, "one_defection", {"E27"})


@pytest.fixture(scope="session")
def app_url(db_path):
    """`streamlit run dashboard.py` against the session database, one server for every test that asks."""
    from browser_support import ARTIFACTS, running_app

    ARTIFACTS.mkdir(exist_ok=True)
    with running_app(db_path, ARTIFACTS / f"streamlit-{WORKER}.log") as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium, one per session: Playwright's sync API allows one instance at a time."""
    from browser_support import CHROMIUM_ARGS, chromium_path
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def browsing(browser):
    """One browser context for the tests that need no fresh one: each new page in it is a new tab, so a
    new Streamlit session (a session is one websocket), while the context keeps its HTTP cache and V8's
    code cache of Streamlit's and plotly's scripts (several MB, the largest part of a cold load's CPU)."""
    from browser_support import new_context

    context = new_context(browser)
    yield context
    context.close()


@pytest.fixture(scope="session")
def elsewhere(browser):
    """A second browser context, for "open this link in another browser": it never holds the cookies,
    storage or session of a page of `browsing`; its own cache is kept across the tests that use it."""
    from browser_support import new_context

    context = new_context(browser)
    yield context
    context.close()
