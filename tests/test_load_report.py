"""What the load client reports over a long run, and that it holds messages as a browser tab does."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from bench import load
from defections import registry


class Watch:
    """A ServerWatch as a 150-second run left it: samples every 30 s of (seconds, RSS, CPU used)."""

    wall_start = 1000.0
    wall = 150.0
    samples = [(30.0, 300 * 2**20, 3.0), (59.0, 310 * 2**20, 6.0), (90.0, 320 * 2**20, 12.0),
               (119.0, 330 * 2**20, 18.0), (149.0, 335 * 2**20, 21.0)]


def test_a_long_run_is_reported_minute_by_minute():
    answered = [("page", 0.2, "ok", 1010.0), ("filter", 0.4, "ok", 1050.0), ("page", 1.0, "ok", 1070.0),
                ("filter", 3.0, "error", 1080.0), ("page", 2.0, "ok", 1100.0), ("page", 0.1, "ok", 1140.0)]
    log = [load.Interaction(kind, seconds, status, finished=at) for kind, seconds, status, at in answered]
    minutes = load.by_minute(log, Watch())
    # The error and the last half minute are left out.
    assert [(m["minute"], m["interactions"]) for m in minutes] == [(1, 2), (2, 2)]
    assert [round(m["cpu_per_interaction"], 2) for m in minutes] == [3.0, 6.0]  # 6 s for 2, then 12 s for 2
    assert [round(m["peak_rss_mb"]) for m in minutes] == [310, 330]
    assert "| 2 | 2 | 1.50 | 1.95 | 6.000 | 330 |" in load.minute_table({"by_minute": minutes}).splitlines()


def test_a_session_offers_only_the_messages_a_browser_still_holds(app_url):
    """A tab forgets a cached message unused for more than max_cached_message_age runs (2): a client that
    offered every hash it ever saw would let the server send references a real tab could not resolve."""

    async def visit_every_page():
        session = load.Session(app_url)
        await session.connect()
        try:
            runs = [await session.open("events", load.SHARED_LINK)]
            for url_path in ("timeline", "sources", "motives", "context", ""):
                runs.append(await session.switch_page(url_path))
            return runs, session.held_hashes(), session.max_cached_message_age
        finally:
            await session.close()

    with ThreadPoolExecutor(1) as thread:  # a loop of its own: Playwright's sync API may run one here
        runs, held, max_age = thread.submit(asyncio.run, visit_every_page()).result()
    assert [run.status for run in runs] == ["ok"] * 6 and max_age == 2
    recent = set().union(*(run.hashes for run in runs[-3:]))  # the last run and the two before it
    assert runs[-1].hashes <= held <= recent
    forgotten = runs[0].hashes - recent  # the events table and its page's messages
    assert forgotten and not held & forgotten


def test_the_per_page_table_gives_each_page_its_rerun_cost(app_url):
    rows = load.rerun_costs(app_url, [load.listening_pid(app_url)], reruns=2)
    assert [row["page"] for row in rows] == [page.name for page in registry.PAGES]
    assert all(row["cached_cpu_s"] > 0 and row["new_cpu_s"] > 0 and row["new_p50_s"] > 0 for row in rows)
    table = load.rerun_table(rows).splitlines()
    assert len(table) == 2 + len(registry.PAGES) and table[2].startswith(f"| {registry.PAGES[0].name} | ")
