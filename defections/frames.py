"""Rows of a query's result, for the code that walks them (charts, lists, cards)."""

from __future__ import annotations

from collections import namedtuple

import pandas as pd


def rows(frame: pd.DataFrame) -> list:
    """A result's rows as named tuples, what frame.itertuples(index=False) gives, for a third of its CPU
    (pandas 3 takes each column through iloc for every call): the columns' lists, zipped."""
    row = namedtuple("Row", frame.columns, rename=True)
    return [row._make(values) for values in zip(*(column.tolist() for _, column in frame.items()))]
