"""The browser benchmark's notion of "the run this interaction started has ended", against the real app:
a run served from the app's cache can start and end within one React render, so the page's script
state never reads 'running'; the benchmark then counts the script_finished messages the tab receives."""

from __future__ import annotations

import pytest

from bench.browser import ARM, COUNT_FINISHED, LOADED, SETTLED, THUMB

pytestmark = pytest.mark.browser


def test_each_run_a_slider_step_starts_is_counted_once(browsing, app_url):
    tab = browsing.new_page()
    try:
        tab.add_init_script(COUNT_FINISHED)
        tab.goto(f"{app_url}/events?years=2016&years=2024", wait_until="commit")
        tab.wait_for_function(LOADED, arg=0, polling="raf", timeout=60_000)
        # A fresh server's first visit runs twice (ui._leave_pages_directory_mode): wait for the run that stays.
        tab.wait_for_function("window.__finished >= 1", timeout=60_000)
        for key in ("ArrowRight", "ArrowLeft", "ArrowRight"):  # the second and third come from the cache
            before = tab.evaluate("window.__finished")
            tab.evaluate(ARM)
            tab.locator(THUMB).press(key)
            seconds = tab.wait_for_function(SETTLED, arg=0, polling="raf", timeout=30_000).json_value() / 1000
            assert 0 < seconds < 30
            assert tab.evaluate("window.__finished") == before + 1
        assert tab.url.endswith("years=2017&years=2024")
    finally:
        tab.close()
