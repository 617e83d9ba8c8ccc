"""After the server restarts, an open tab's download buttons work again (issue #29): Streamlit keeps a
button's file in the server's memory only; with on_click="ignore" no click in the reconnected tab
downloaded anything. A click that still finds nothing reruns the page, and the next one downloads.
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
            wait_finished(page)
            first = try_download(page, "Download all", 15_000)  # may find nothing: the old server's file
            if not first:
                wait_finished(page)  # the rerun that click started (slow on a cold server under load)
            second = first or try_download(page, "Download all", TIMEOUT_MS)
            assert second and "Cuba" in second
    finally:
        context.close()
