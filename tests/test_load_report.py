"""The load client holds messages as a browser tab does."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from bench import load


def test_a_session_offers_only_the_messages_a_browser_still_holds(app_url):
    """A tab forgets a cached message unused for more than max_cached_message_age runs (2): a client that
    offered every hash it ever saw would let the server send references a real tab could not resolve."""

    async def visit_every_page():
        async with load.Session(app_url) as session:
            runs = [await session.open("events", load.SHARED_LINK)]
            for url_path in ("timeline", "sources", "motives", "context", ""):
                runs.append(await session.switch_page(url_path))
            # What the next rerun request offers: the messages the tab still holds.
            return runs, set(session.cache), session.max_cached_message_age

    with ThreadPoolExecutor(1) as thread:  # a loop of its own: Playwright's sync API may run one here
        runs, held, max_age = thread.submit(asyncio.run, visit_every_page()).result()
    assert [run.status for run in runs] == ["ok"] * 6 and max_age == 2
    recent = set().union(*(run.hashes for run in runs[-3:]))  # the last run and the two before it
    assert runs[-1].hashes <= held <= recent
    forgotten = runs[0].hashes - recent  # the events table and its page's messages
    assert forgotten and not held & forgotten
