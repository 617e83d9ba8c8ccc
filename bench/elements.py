"""What a page sends to the browser, read from an AppTest run of the real page: its charts (trace types,
point counts), its tables (rows, column kinds and widths) and its whole layout (every other element by
kind). The reference page (bench/reference.py) redraws that spec from in-memory frames."""

from __future__ import annotations

import base64
import json

import numpy as np

ARRAY_KEYS = ("x", "y", "z", "lat", "lon", "values", "labels", "r", "theta", "locations")
# Leaves the replay redraws by kind, with the arguments that decide how each renders.
TEXT = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success")
LEAF_FIELDS = {**{kind: ("body",) for kind in TEXT},
               "metric": ("label", "body"), "toggle": ("label", "default"), "download_button": ("label", "icon"),
               "code": ("code_text",), "radio": ("label", "options"), "button_group": ("label", "options"),
               "page_link": ("label", "icon"), "text_input": ("label", "max_chars"), "selectbox": ("label", "options"),
               "slider": ("label", "min", "max", "default", "step"),
               "multiselect": ("label", "options", "placeholder"), "number_input": ("label", "min", "max"),
               "button": ("label",)}


def _length(array) -> int:
    if isinstance(array, dict) and "bdata" in array:  # plotly's base64 typed arrays
        if "shape" in array:
            return int(np.prod([int(n) for n in str(array["shape"]).split(",")]))
        return len(base64.b64decode(array["bdata"])) // np.dtype(array["dtype"]).itemsize
    return len(array) if isinstance(array, list | tuple) else 0


def figure_spec(figure: dict) -> dict:
    """Trace types and point counts (the longest data array of each trace) of a plotly JSON figure."""
    traces = [{"type": trace.get("type", "scatter"),
               "points": max((_length(trace.get(key)) for key in ARRAY_KEYS), default=0)}
              for trace in figure.get("data", [])]
    return {"traces": traces, "height": (figure.get("layout") or {}).get("height") or 450}


def table_spec(frame) -> dict:
    """Rows, and per column its kind (i, f, b, M, s) and the mean length of its text."""
    columns = []
    for name in frame.columns:
        column = frame[name]
        kind = {"u": "i"}.get(column.dtype.kind, column.dtype.kind if column.dtype.kind in "ifbM" else "s")
        sample = column.dropna().head(1000).astype(str) if kind == "s" else []
        columns.append([kind, int(round(sample.str.len().mean())) if len(sample) else 0])
    return {"rows": len(frame), "columns": columns}


def spec_from_apptest(at) -> dict:
    """Charts, tables and layout of what an AppTest run rendered (every tab's content included), and its
    elements and their serialized bytes: close to what the websocket carries to the browser."""
    found: dict[str, list] = {"chart": [], "table": [], "sent": []}

    def outline(node) -> list[dict]:
        items = []
        for child in node.children.values():
            kind, proto = child.type, getattr(child, "proto", None)
            if not getattr(child, "children", None) and proto is not None:
                found["sent"].append(len(proto.SerializeToString()))
            if kind in ("plotly_chart", "dataframe", "table"):
                what = "chart" if kind == "plotly_chart" else "table"
                items.append({"kind": what, "index": len(found[what])})
                found[what].append(child)
            elif kind == "tab_container":
                items.append({"kind": "tabs", "labels": [tab.proto.label for tab in child.children.values()],
                              "children": [outline(tab) for tab in child.children.values()]})
            elif kind == "flex_container" and child.children and all(
                    c.type == "column" for c in child.children.values()):
                items.append({"kind": "columns", "weights": [c.proto.weight for c in child.children.values()],
                              "children": [outline(c) for c in child.children.values()]})
            elif getattr(child, "children", None) is not None and kind not in LEAF_FIELDS:
                border = bool(getattr(getattr(proto, "flex_container", None), "border", False))
                items.append({"kind": "container", "border": border, "children": [outline(child)]})
            else:
                items.append({"kind": kind, **{f: _plain(getattr(proto, f)) for f in LEAF_FIELDS.get(kind, ())}})
        return items

    layout = {"main": outline(at.main), "sidebar": outline(at.sidebar)}
    return {"charts": [figure_spec(json.loads(chart.proto.spec)) for chart in found["chart"]],
            "tables": [table_spec(frame.value) for frame in found["table"]], "layout": layout,
            "elements": len(found["sent"]), "payload_bytes": sum(found["sent"])}


def _plain(value):
    # Protobuf scalars and repeated fields as JSON-able values.
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return [getattr(item, "content", item) for item in value]  # a button group's options are messages


def points(spec: dict) -> int:
    """Chart points plus table rows: how much data a page sends."""
    return (sum(t["points"] for c in spec["charts"] for t in c["traces"])
            + sum(t["rows"] for t in spec["tables"]))


def kinds(layout: dict) -> list[tuple[str, str]]:
    """(region, kind) of every leaf of a layout, in order: what a replay must reproduce."""
    found = []

    def walk(items, region):
        for item in items:
            for branch in item.get("children", []):
                walk(branch, region)
            if "children" not in item:
                found.append((region, item["kind"]))

    for region in ("main", "sidebar"):
        walk(layout.get(region, []), region)
    return found
