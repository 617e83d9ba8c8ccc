"""The app's pages, listed once: dashboard.py's navigation, the overview's links, the tests and the
benchmark all read this list. Adding a page: its file in pages/, one entry here, its queries and charts."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    """One page of the dashboard."""

    script: str  # path from the repository root
    title: str
    icon: str
    url_path: str  # "" for the home page
    answers: str  # the question it answers, as the overview's link to it reads
    charts: int  # plotly charts it draws with the curated data, no filter and its first view

    @property
    def name(self) -> str:
        """A short name for tests and benchmark tables: the script's stem."""
        return self.script.rsplit("/", 1)[-1].removesuffix(".py")

    @property
    def url(self) -> str:
        """The page's path in the browser."""
        return "/" + self.url_path


PAGES: tuple[Page, ...] = (
    Page("pages/overview.py", "Overview", ":material/dashboard:", "",
         "Overview: the headline figures and where defectors were posted.", 1),
    Page("pages/timeline.py", "Timeline", ":material/timeline:", "timeline",
         "Timeline: when did each defection happen, and how long until it was public?", 1),
    Page("pages/motives.py", "Motives", ":material/psychology:", "motives",
         "Motives: why did they leave, as reported, and by whom?", 1),
    Page("pages/context.py", "Diplomatic context", ":material/public:", "context",
         "Diplomatic context: how do the Cuba–South Korea ties of 14 February 2024 fit in?", 2),
    Page("pages/events.py", "Events", ":material/table_rows:", "events",
         "Events: the filtered list, a search by any romanization, every event in detail.", 0),
    Page("pages/sources.py", "Sources and method", ":material/menu_book:", "sources",
         "Sources and method: where every number comes from, and how it was coded.", 0),
)


def page(name: str) -> Page:
    """The page whose script stem is `name` ("events")."""
    return next(p for p in PAGES if p.name == name)
