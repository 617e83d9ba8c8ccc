"""Helpers for the real-browser tests: start the app, launch Debian's Chromium, wait for a Streamlit
page to finish, and drive the sidebar filters the way an analyst does (keyboard and typing)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Page

from bench.browser import CHROMIUM_ARGS, streamlit_server  # noqa: F401 - CHROMIUM_ARGS is re-exported

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"  # screenshots and the app's log; ignored by git
TIMEOUT_MS = 60_000  # CI is a 2-core machine: a cold page with plotly takes several seconds, and far more
# when other work shares the cores (30 s timed out on a loaded machine); a wait, not a measurement
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
# Every chart goes through ui.chart (key "chart-…"); its container exists before plotly's code is loaded.
CHARTS = '[data-testid="stElementContainer"][class*="st-key-chart-"]'
COUNT = re.compile(r"([\d,]+)\s+defection\(s\) selected by the filters")

# Finished = a script run has completed on a connected app, nothing is greyed out as stale, no element
# still shows the skeleton it has while its code loads, and every plotly chart the script sent has
# drawn its SVG with at least one trace.
FINISHED_JS = """charts => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.dataset.testScriptState !== 'notRunning' || app.dataset.testConnectionState !== 'CONNECTED') {
    return false;
  }
  const status = [...document.querySelectorAll('[data-testid="stStatusWidget"]')];
  if (status.some(w => /running/i.test(w.innerText))) return false;
  if (document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]')) return false;
  return [...document.querySelectorAll(charts)].every(chart => {
    const plot = chart.querySelector('.js-plotly-plot');
    return plot && plot.querySelector('.main-svg') && plot.querySelector('.main-svg .trace');
  });
}"""


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM", shutil.which("chromium"))
    if not path:
        raise RuntimeError("no Chromium found: install Debian's chromium or set $CHROMIUM (never download one)")
    return path


@contextlib.contextmanager
def running_app(db_path: Path, log: Path, timeout: float = 60) -> Iterator[str]:
    """`streamlit run dashboard.py` on a free port against `db_path`; yields its base URL, stops it after."""
    with streamlit_server(ROOT / "dashboard.py", {"DEFECTIONS_DB": str(db_path)}, log, timeout) as (url, _):
        yield url


def new_context(browser: Browser, **options) -> BrowserContext:
    """A fresh browser context (no cookies, storage or cache) at the desktop size the tests use."""
    # Reduced motion: no transition frames for Chromium to composite, which cost its GPU process much
    # of the browser tests' CPU; what a page shows is the same.
    context = browser.new_context(**{"viewport": {"width": 1400, "height": 1000}, "accept_downloads": True,
                                     "reduced_motion": "reduce", **options})
    context.set_default_timeout(TIMEOUT_MS)
    return context


def wait_finished(page: Page, timeout: int = TIMEOUT_MS) -> None:
    """Wait until the script run is over and every chart is drawn."""
    page.wait_for_function(FINISHED_JS, arg=f'{CHARTS}, [data-testid="stPlotlyChart"]', timeout=timeout, polling=200)


def open_page(page: Page, url: str) -> Page:
    """Go to `url` and wait for the page's heading, the end of the run and the charts."""
    page.goto(url, wait_until="domcontentloaded")
    page.locator('[data-testid="stMain"] h1').first.wait_for(timeout=TIMEOUT_MS)
    wait_finished(page)
    return page


def selected_count(page: Page) -> int:
    """The page's "N defection(s) selected" figure."""
    line = page.locator('[data-testid="stMain"]').get_by_text("defection(s) selected by the filters").first
    line.wait_for(timeout=TIMEOUT_MS)
    match = COUNT.search(line.inner_text())
    assert match, f"no count in {line.inner_text()!r}"
    return int(match.group(1).replace(",", ""))


COUNT_SHOWN_JS = r"""n => new RegExp(`(^|\\s)${n} defection\\(s\\) selected`)
  .test(document.querySelector('[data-testid="stMain"]').innerText)"""


def wait_for_count(page: Page, count: int) -> int:
    """Wait until the page's header shows `count` selected (a widget change is in the URL before the rerun
    it starts has begun, so waiting for the end of a run can still see the previous run's page); the count."""
    page.wait_for_function(COUNT_SHOWN_JS, arg=f"{count:,}", timeout=TIMEOUT_MS, polling=200)
    wait_finished(page)
    return selected_count(page)


# Collects the messages a download button shows under itself (each stays 5 s).
WATCH_DOWNLOAD_ERRORS = """() => {
  window.downloadErrors = [];
  new MutationObserver(() => document.querySelectorAll('[data-testid=stDownloadButtonError]')
      .forEach(e => window.downloadErrors.push(e.innerText)))
    .observe(document.body, {childList: true, subtree: true});
}"""


def download(page: Page, name: str, timeout: float = 30_000):
    """Click the download button named `name` and return Playwright's Download. A click that races a run
    can name a file the run has just replaced (Streamlit 1.67, docs/security.md): then the button must say
    so, and the next click must download."""
    page.evaluate(WATCH_DOWNLOAD_ERRORS)
    for attempt in (1, 2):
        started: list = []

        def record(download, started=started):
            started.append(download)

        page.on("download", record)
        try:
            page.get_by_role("button", name=name).click()
            # The file, or on the first click the button's error, whichever comes first: waiting out the
            # timeout after an error cost a test 30 s.
            deadline = time.monotonic() + timeout / 1000
            while not started and time.monotonic() < deadline and not (
                    attempt == 1 and page.evaluate("window.downloadErrors.length")):
                page.wait_for_timeout(50)
        finally:
            page.remove_listener("download", record)
        if started:
            return started[0]
        assert attempt == 1 and page.evaluate("window.downloadErrors.length"), \
            f"a click on {name!r} downloaded nothing within {timeout / 1000:.0f} s" + (
                "" if attempt == 2 else " and said nothing")


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"data", "blob", "about"} or parts.hostname in LOCAL_HOSTS


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


# --- the sidebar filters ------------------------------------------------------------------------

def sidebar(page: Page):
    return page.locator('[data-testid="stSidebar"]')


def year_thumb(page: Page, which: str):
    """The hidden range input behind one thumb of the year slider ("start" or "end")."""
    return sidebar(page).locator(f'[data-testid="stSlider"] input[type="range"][aria-label$="{which}"]')


def slider_years(page: Page) -> tuple[int, int]:
    return int(year_thumb(page, "start").input_value()), int(year_thumb(page, "end").input_value())


def set_years(page: Page, year_from: int, year_to: int) -> None:
    """Move the thumbs with the keyboard, one year per arrow press: the end thumb from the top of the
    scale, then the start thumb from the end thumb (End takes it there; thumbs cannot cross)."""
    end = year_thumb(page, "end")
    end.focus()
    page.keyboard.press("End")
    for _ in range(int(end.get_attribute("max")) - year_to):
        page.keyboard.press("ArrowLeft")
    year_thumb(page, "start").focus()
    page.keyboard.press("End")
    for _ in range(year_to - year_from):
        page.keyboard.press("ArrowLeft")
    page.wait_for_function("([a, b]) => new URLSearchParams(location.search).getAll('years').join() == `${a},${b}`",
                           arg=[year_from, year_to], timeout=TIMEOUT_MS)
    wait_finished(page)


def post_box(page: Page):
    return sidebar(page).locator('[data-testid="stMultiSelect"]').filter(has_text="Post (country)")


def pick_post(page: Page, country: str) -> None:
    """Click the post multiselect, type the country and choose it from the list."""
    post_box(page).get_by_role("combobox").click()
    page.keyboard.type(country)
    page.get_by_role("option", name=country, exact=True).click()
    page.keyboard.press("Escape")
    page.wait_for_function("country => new URLSearchParams(location.search).getAll('post').includes(country)",
                           arg=country, timeout=TIMEOUT_MS)
    wait_finished(page)


def selected_posts(page: Page) -> list[str]:
    """The tags shown in the post multiselect."""
    return post_box(page).locator("[data-tag]").all_inner_texts()
