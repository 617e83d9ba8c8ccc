"""frames.rows walks a result as pandas' itertuples(index=False) would: the same values as the pages write them
(numpy scalars come out as Python numbers), the same names."""

import pandas as pd

from defections import frames, queries
from defections.filters import Filters


def test_rows_give_what_itertuples_gives(con):
    for frame in (queries.timeline_events(con, Filters()), queries.context_timeline(con, Filters()),
                  queries.yearly_figures(con, Filters()), queries.timeline_events(con, Filters(1800, 1801))):
        expected = list(frame.itertuples(index=False))
        got = frames.rows(frame)
        assert [tuple(map(str, r)) for r in got] == [tuple(map(str, r)) for r in expected]
        assert all(r._fields == e._fields for r, e in zip(got, expected))


def test_rows_of_a_frame_with_missing_values_and_awkward_names():
    frame = pd.DataFrame({"a b": ["x", None], "when": pd.to_datetime(["2024-07-16", None]), "n": [1.5, float("nan")]})
    assert [tuple(map(str, r)) for r in frames.rows(frame)] == \
        [tuple(map(str, r)) for r in frame.itertuples(index=False)]
