"""The analyst's filters: year range, posts, elite categories, and how they are cleaned from a URL."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class Filters:
    """What the sidebar selects. Empty tuples mean "all"; None years mean "no bound"."""

    year_from: int | None = None
    year_to: int | None = None
    posts: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    def params(self) -> dict:
        """Bound parameters for the WHERE clause in queries.EVENT_FILTER."""
        return {
            "year_from": self.year_from,
            "year_to": self.year_to,
            "posts": list(self.posts),
            "categories": list(self.categories),
        }

    def describe(self) -> str:
        """A short human description, also used in download file names."""
        parts = []
        if self.year_from is not None or self.year_to is not None:
            parts.append(f"{self.year_from or '…'}-{self.year_to or '…'}")
        if self.posts:
            parts.append("+".join(self.posts))
        if self.categories:
            parts.append("+".join(self.categories))
        return "_".join(parts) or "all"

    def query_string(self) -> str:
        """The URL query that reproduces these filters (the same keys the sidebar binds)."""
        pairs = []
        if self.year_from is not None and self.year_to is not None:
            pairs += [("years", str(self.year_from)), ("years", str(self.year_to))]
        pairs += [("post", p) for p in self.posts] + [("category", c) for c in self.categories]
        return "&".join(f"{k}={quote(v)}" for k, v in pairs)


def clean(year_range, posts, categories, *, known_posts, known_categories, bounds) -> Filters:
    """Keep only valid values: a reversed year range is put in order, unknown names are dropped."""
    low, high = bounds
    year_from = year_to = None
    if year_range and len(year_range) == 2:
        try:
            a, b = sorted(int(y) for y in year_range)
        except (TypeError, ValueError):
            a, b = low, high
        year_from, year_to = max(a, low), min(b, high)
        if year_from > year_to or (year_from, year_to) == (low, high):
            # The full extent is no filter at all: context and yearly figures outside the
            # defections' years (ties of 1960, embassies of 2025) then stay in view.
            year_from = year_to = None
    return Filters(
        year_from=year_from,
        year_to=year_to,
        posts=tuple(p for p in dict.fromkeys(posts or ()) if p in set(known_posts)),
        categories=tuple(c for c in dict.fromkeys(categories or ()) if c in set(known_categories)),
    )
