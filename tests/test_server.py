"""What the HTTP server sends, asked of a running app on loopback: Streamlit sets no framing header and
serves its metrics, so the proxy configuration in deploy/ (tests/test_proxy.py runs it) must add the one and
block the other."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FRAMING = ("X-Frame-Options", "Content-Security-Policy")


def get(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers, response.read()


def proxy_config() -> str:
    return (ROOT / "deploy" / "nginx.conf.template").read_text(encoding="utf-8")


def test_the_app_sends_no_framing_header_so_the_proxy_adds_one(app_url):
    status, headers, _ = get(app_url + "/")
    assert status == 200
    assert [name for name in FRAMING if name in headers] == []  # if Streamlit starts sending one, see deploy.md
    config = proxy_config()
    assert re.search(r"""^\s*add_header Content-Security-Policy "frame-ancestors 'none'" always;""", config, re.M)
    assert re.search(r"""^\s*add_header X-Frame-Options "DENY" always;""", config, re.M)


def test_the_app_serves_its_metrics_so_the_proxy_blocks_them(app_url):
    status, headers, body = get(app_url + "/_stcore/metrics")
    assert status == 200 and b"session_events_total" in body
    assert re.search(r"^\s*location = /_stcore/metrics \{ return 404; \}", proxy_config(), re.M)
