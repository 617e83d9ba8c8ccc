"""After the server restarts, an open tab's download buttons work again at the first click (issue #29).
Chromium, on a private server restarted on the same port."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from browser_support import ARTIFACTS, TIMEOUT_MS, new_context, open_page, wait_finished

from bench.browser import free_port, stop

ROOT = Path(__file__).resolve().parent.parent
STATE = "document.querySelector('[data-testid=stApp]').dataset.testConnectionState"
RUN = "document.querySelector('[data-testid=stApp]').dataset.testScriptState"


@contextlib.contextmanager
def server(port: int, db: Path, log: Path):
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"), "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
               "--browser.gatherUsageStats", "false", "--server.enableStaticServing", "true"]
    with open(log, "a") as out:
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                   env={**os.environ, "DEFECTIONS_DB": str(db), "PYTHONUNBUFFERED": "1"})
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health",
                                                                      timeout=2) as answer:
                if answer.read().strip() == b"ok":
                    break
            assert process.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")[-2000:]
            time.sleep(0.2)
        yield
    finally:
        stop(process)


def wait_for_a_run(page) -> None:
    """Wait for a script run to start (if it has not already come and gone) and to finish: a click on a
    button of a run still under way does nothing."""
    try:
        page.wait_for_function(f"{RUN} === 'running'", timeout=10_000, polling=50)
    except Exception as err:  # Playwright's TimeoutError: the run was over before we looked
        if "Timeout" not in type(err).__name__:
            raise
    wait_finished(page)


def try_download(page, name: str, timeout: float) -> str | None:
    try:
        with page.expect_download(timeout=timeout) as download:
            page.get_by_role("button", name=name).click()
        return download.value.suggested_filename
    except Exception as err:  # Playwright's TimeoutError: the click downloaded nothing
        if "Timeout" not in type(err).__name__:
            raise
        return None


def test_downloads_work_again_after_the_server_restarts(browser, db_path):
    port, log = free_port(), ARTIFACTS / "restart.log"
    ARTIFACTS.mkdir(exist_ok=True)
    context = new_context(browser)
    page = context.new_page()
    try:
        with server(port, db_path, log):
            open_page(page, f"http://127.0.0.1:{port}/events?years=2023&years=2023&post=Cuba")
            assert try_download(page, "Download all", TIMEOUT_MS)
        page.wait_for_function(f"{STATE} !== 'CONNECTED'", timeout=TIMEOUT_MS)  # the tab saw the server go
        with server(port, db_path, log):
            page.wait_for_function(f"{STATE} === 'CONNECTED'", timeout=TIMEOUT_MS)
            wait_for_a_run(page)  # the page's run on the new server (slow on a cold server under load)
            # The reconnected tab reruns on its own (ui.rerun_on_reconnect), so the first click downloads.
            # Without that rerun the tab kept the old server's session id and the click spun for minutes.
            got = try_download(page, "Download all", 30_000)
            if not got:
                page.screenshot(path=ARTIFACTS / "restart-failed.png", full_page=True)
            assert got and "Cuba" in got, (got, page.evaluate(f"[{STATE}, {RUN}]"))
    finally:
        context.close()
