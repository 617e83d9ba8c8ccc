"""The analyst's filters: year range, posts, elite categories, confirmation, and how they are cleaned from a URL."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Filters:
    """What the sidebar selects. Empty tuples mean "all"; None years mean "no bound"."""

    year_from: int | None = None
    year_to: int | None = None
    posts: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    confirmations: tuple[str, ...] = ()

    def params(self) -> dict:
        """Bound parameters for the WHERE clause in queries.EVENT_FILTER."""
        return {
            "year_from": self.year_from,
            "year_to": self.year_to,
            "posts": list(self.posts),
            "categories": list(self.categories),
            "confirmations": list(self.confirmations),
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
        if self.confirmations:
            parts.append("+".join(self.confirmations))
        return "_".join(parts) or "all"


def clean(year_range, posts, categories, confirmations=(), *, known_posts, known_categories,
          known_confirmations=(), bounds) -> Filters:
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
        confirmations=tuple(c for c in dict.fromkeys(confirmations or ()) if c in set(known_confirmations)),
    )
