"""The held documents (seeds/documents/*.txt): their format, their reading, and the text quotes are found in.

A held document is the passage read, under a header saying where and when it was read (seeds/README.md,
"Held documents"); the client's document is held unchanged, without a header."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from defections.paths import relative

# A held document is the passage read, not the article: refuse anything larger (a 50 MB file made
# the Sources page take 80 s). The client's document is about 2 KB.
MAX_DOCUMENT_BYTES = 64 * 1024
# The header every held passage opens with, then a line "---".
DOCUMENT_HEADER = ("url", "title", "publisher", "published", "read")
# ASCII digits only: \d alone also matches Arabic-Indic and full-width digits, which int() accepts.
DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
QUOTE_MARKS = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
                             "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"'})


@dataclass(frozen=True)
class Document:
    """A held passage: its header fields (url, title, publisher, published, read) and the text read."""

    header: dict
    text: str


def normalize_text(text: str) -> str:
    """Fold whitespace and curly quote marks, so a quote matches however it was wrapped or typed."""
    return " ".join(text.translate(QUOTE_MARKS).split())


def is_held_document(name: str) -> bool:
    """A held document: a visible *.txt file in seeds/documents/. Editors' swap files (.S001.txt.swp),
    rsync's temporary files (.S001.txt.Ab12Cd) and backups (S001.txt~) are not seeds: they neither
    trigger a rebuild nor can be named by sources.csv."""
    return name.endswith(".txt") and not name.startswith(".")


def parse_document(text: str, with_header: bool = True) -> Document:
    """Split a held document into its header and its passage. Raises ValueError naming what is wrong.

    The client's seed document is held unchanged, without a header (with_header=False)."""
    if not with_header:
        return Document({}, text)
    head, sep, body = text.partition("\n---\n")
    if not sep:
        raise ValueError("has no header (expected lines 'url: …', 'title: …', 'publisher: …', 'published: …', "
                         "'read: …', then a line '---', then the passage)")
    header = {}
    for line in head.splitlines():
        key, colon, value = line.partition(":")
        if not colon or key.strip() not in DOCUMENT_HEADER:
            raise ValueError(f"header line {line!r} is not one of {', '.join(k + ': …' for k in DOCUMENT_HEADER)}")
        header[key.strip()] = value.strip()
    missing = [k for k in DOCUMENT_HEADER if k not in header or (k != "published" and not header[k])]
    if missing:
        raise ValueError(f"header lacks {', '.join(missing)} (every held passage says where and when it was read)")
    for key in ("published", "read"):
        if header[key] and not DAY.match(header[key]):
            raise ValueError(f"header {key} {header[key]!r} is not a date (expected YYYY-MM-DD, or empty if unknown)")
    if not body.strip():
        raise ValueError("holds no passage after the header")
    return Document(header, body)


def read_document(documents_dir: Path, name: str, with_header: bool = True, files: dict | None = None) -> Document:
    """Read one held document, refusing links, files outside documents_dir and oversized files; from
    `files` (a snapshot of the seeds folder, see fingerprint.snapshot) when given, else from the disk."""
    if "/" in name or "\\" in name or name in (".", ".."):
        raise ValueError(f"{name!r} is not a plain file name (expected a file directly in seeds/documents/)")
    if not is_held_document(name):
        raise ValueError(f"{name!r} is not a held document's name (expected a .txt file whose name does not "
                         "start with a dot, e.g. S123.txt)")
    content = _document_bytes(documents_dir, name) if files is None else files.get(f"documents/{name}")
    if content is None:
        raise ValueError(f"{name!r} is not a regular file in {relative(documents_dir)} "
                         "(add the file there, not a link, or empty the cell)")
    size = content if isinstance(content, int) else len(content) if isinstance(content, bytes) else 0
    if size > MAX_DOCUMENT_BYTES:
        raise ValueError(f"{name!r} is {size:,} bytes (at most {MAX_DOCUMENT_BYTES:,}: hold the passage read, "
                         "not the whole page)")
    if isinstance(content, OSError):
        raise ValueError(f"{name!r} cannot be read ({content.strerror or content}); make the file readable")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{name!r} is not UTF-8 text") from None
    return parse_document(text, with_header)


def _document_bytes(documents_dir: Path, name: str) -> bytes | int | OSError | None:
    # The disk read for rows not loaded from a snapshot (bench.synth): the same answers a snapshot gives.
    path = documents_dir / name
    if path.is_symlink() or not path.is_file() or path.resolve().parent != documents_dir.resolve():
        return None
    size = path.stat().st_size
    if size > MAX_DOCUMENT_BYTES:
        return size
    try:
        return path.read_bytes()
    except OSError as err:
        return err
