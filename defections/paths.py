"""Where things live. Everything is built from this file's location, so any working directory works."""

import os
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = ROOT / "seeds"
SQL_DIR = Path(__file__).resolve().parent / "sql"
STATIC_DIR = ROOT / "static"
DEFAULT_DB = ROOT / "data" / "defections.duckdb"


@cache
def sql_file(name: str) -> str:
    """The text of sql/<name>.sql (read once); queries are sql/queries/<name>.sql (db.query_sql)."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def seeds_dir() -> Path:
    """The seeds folder: $DEFECTIONS_SEEDS if set, else seeds/."""
    return Path(os.environ.get("DEFECTIONS_SEEDS") or SEEDS_DIR).resolve()


def db_path() -> Path:
    """The database file: $DEFECTIONS_DB if set, else data/defections.duckdb."""
    # abspath, not resolve(): pages ask for it many times a run, and resolving walks every folder
    # (a symlink to the file still works: stat and open follow it).
    return Path(os.path.abspath(os.environ.get("DEFECTIONS_DB") or DEFAULT_DB))


def relative(path: Path) -> str:
    """A path as a seed problem names it: relative to the working folder when under it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
