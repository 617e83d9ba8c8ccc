"""Command line: validate the seeds, build the database, export the events CSV, the dataset, what changed.

    python -m defections validate [--seeds DIR]
    python -m defections build [--seeds DIR] [--db PATH]
    python -m defections export events [--from YEAR] [--to YEAR] [--FILTER VALUE ...] [--db PATH]
    python -m defections export bundle [--db PATH] > dataset.zip
    python -m defections export changes --since RELEASE [--db PATH] > changes.csv
    python -m defections release VERSION --note TEXT [--seeds DIR]
    python -m defections dictionary [--db PATH]

One repeatable --FILTER flag per entry of filters.FILTERS (--post COUNTRY, --category CATEGORY, ...).
Every export says on stderr which release its data is, or that it holds unreleased changes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from defections import bundle, queries, release
from defections.build import BuildError, WriteError, build
from defections.db import DatabaseError, connect, unreadable
from defections.export import csv_bytes
from defections.filters import FILTERS, Filters, unknown_in_cli
from defections.paths import db_path, seeds_dir
from defections.validate import validate
from defections.wording import not_counted


def year(text: str) -> int:
    """A calendar year for --from/--to; anything else is a usage error, not a database error."""
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 9999:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year (expected 1 to 9999, e.g. 2023)")
    return int(text)


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the process exit code (0 ok, 1 problems found, 2 bad arguments)."""
    parser = argparse.ArgumentParser(prog="python -m defections", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("validate", help="check the seeds without writing anything")
    seeds_help = "the folder of seed CSVs (default $DEFECTIONS_SEEDS or seeds/)"
    db_help = "the database file to read (default $DEFECTIONS_DB or data/defections.duckdb)"
    check.add_argument("--seeds", type=Path, default=None, help=seeds_help)
    make = commands.add_parser("build", help="validate the seeds and write the database atomically")
    make.add_argument("--seeds", type=Path, default=None, help=seeds_help)
    make.add_argument("--db", type=Path, default=None,
                      help="the file to write (default $DEFECTIONS_DB or data/defections.duckdb); a symlink is "
                           "followed: its target is replaced and the link kept")
    export = commands.add_parser("export", help="write a CSV (or the dataset's zip) to stdout")
    export.add_argument("table", choices=["events", "bundle", "changes"],
                        help="events (filtered), bundle (every view, docs and citation, zipped), changes (--since)")
    export.add_argument("--since", metavar="RELEASE", help="changes: the release to compare with (e.g. 2026.12.1)")
    export.add_argument("--from", dest="year_from", type=year, metavar="YEAR",
                        help="events: first year of defection (a reversed range is put in order, as the app does)")
    export.add_argument("--to", dest="year_to", type=year, metavar="YEAR", help="events: last year of defection")
    for f in FILTERS:
        export.add_argument(f"--{f.key}", action="append", default=[], metavar=f.metavar or None,
                            help=f"events: {f.cli_help or f.label.lower()}; repeat the flag for several")
    export.add_argument("--db", type=Path, default=None, metavar="PATH", help=db_help)
    record = commands.add_parser("release", help="record the seeds as a release (appends to seeds/releases.csv)")
    record.add_argument("version", help="the new version, e.g. 2026.12.2")
    record.add_argument("--note", required=True, help="what the release brings, in a sentence")
    record.add_argument("--seeds", type=Path, default=None, help=seeds_help)
    dictionary = commands.add_parser("dictionary", help="print the data dictionary as markdown")
    dictionary.add_argument("--db", type=Path, default=None, metavar="PATH", help=db_help)
    args = parser.parse_args(argv)
    if args.command == "export" and (unread := _unread_flags(args)):
        print(f"export {args.table} does not read {', '.join(unread)}: {UNREAD_WHY[args.table]}", file=sys.stderr)
        return 2
    if getattr(args, "seeds", None) is None:
        args.seeds = seeds_dir()

    if args.command == "validate":
        problems = validate(args.seeds)
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(problems)} problem(s) in {args.seeds}" if problems else f"{args.seeds}: all seeds valid",
              file=sys.stderr)
        return 1 if problems else 0
    if args.command == "build":
        try:
            path = build(args.seeds, args.db)
        except BuildError as err:
            for problem in err.problems:
                print(problem, file=sys.stderr)
            print(f"{len(err.problems)} problem(s): database not written; the previous one is unchanged.",
                  file=sys.stderr)
            return 1
        except WriteError as err:
            print(err, file=sys.stderr)
            return 1
        print(f"built {path}", file=sys.stderr)
        return 0
    if args.command == "release":
        try:
            done = release.record(args.seeds, args.version, args.note)
        except release.ReleaseError as err:
            print(f"release not recorded: {err}", file=sys.stderr)
            return 1
        print(f"recorded release {done.release} (digest {done.digest}) in {args.seeds / release.RELEASES_FILE}; "
              f"{done.added} row(s) added and {done.removed} removed listed in {args.seeds / release.ROWS_FILE}. "
              "Commit both files, and rebuild: python -m defections build", file=sys.stderr)
        return 0
    path = (args.db or db_path()).resolve()
    try:
        con = connect(path)
        return _read(args, con)
    except duckdb.Error as err:  # a file damaged in the middle opens, then fails a query
        print(unreadable(path, err), file=sys.stderr)
    except DatabaseError as err:
        print(err, file=sys.stderr)
    return 1


# What each export reads beyond --db, and what to say of a flag it would otherwise ignore without a word.
READS = {"events": {"--from", "--to", *(f"--{f.key}" for f in FILTERS)}, "bundle": set(), "changes": {"--since"}}
UNREAD_WHY = {"events": "--since is for export changes", "bundle": "the zip holds the whole dataset; "
              "select rows with export events", "changes": "it lists every change since a release, unfiltered"}


def _unread_flags(args) -> list[str]:
    given = {"--since": args.since is not None, "--from": args.year_from is not None,
             "--to": args.year_to is not None, **{f"--{f.key}": bool(getattr(args, f.key)) for f in FILTERS}}
    return [flag for flag, on in given.items() if on and flag not in READS[args.table]]


def _read(args, con) -> int:
    if args.command == "dictionary":
        return _emit(queries.dictionary_markdown(queries.data_dictionary(con)).encode("utf-8"))
    if args.table == "events":
        code = _events(args, con)
    elif args.table == "bundle":
        code = _emit(bundle.bundle_bytes(con), bundle.file_name(con))
    else:
        known = release.release_list(con)["release"].tolist()
        if args.since not in known:
            asked = f"--since {args.since!r} is not a release" if args.since else "export changes needs --since RELEASE"
            print(f"{asked}; releases: {', '.join(known) or 'none recorded yet'}",
                  file=sys.stderr)
            return 2
        code = _emit(csv_bytes(release.changes_since(con, args.since)))
    if code == 0 and args.table != "events":  # the events export says it with its count
        _say_release(con)
    return code


def _say_release(con) -> None:
    # On stderr, so the file on stdout stays clean; unreleased data says how to record a release.
    status = release.release_status(con).iloc[0]
    print(f"data: {status['label']}", file=sys.stderr)
    if not status["is_release"]:
        print(release.unreleased_message(status["label"]), file=sys.stderr)


def _events(args, con) -> int:
    options = queries.filter_options(con)
    if args.year_from is not None and args.year_to is not None:
        args.year_from, args.year_to = sorted((args.year_from, args.year_to))
    asked = {f.key: getattr(args, f.key) for f in FILTERS}
    unknown = unknown_in_cli(asked, options)
    if unknown:
        print(unknown, file=sys.stderr)
        return 2
    filters = Filters(args.year_from, args.year_to, **{f.name: tuple(dict.fromkeys(asked[f.key])) for f in FILTERS})
    if (written := _emit(csv_bytes(queries.export_events(con, filters)))) == 0:
        _say_release(con)
        counts = queries.selection_counts(con, filters).iloc[0]
        left_out = not_counted(counts)
        print(f"{int(counts['defections']):,} defection(s) selected and counted, {int(counts['confirmed']):,} "
              "confirmed by a government" + (f"; {left_out} (the CSV's `counted` column)" if left_out else ""),
              file=sys.stderr)
    return written


def _emit(data: bytes, example: str = "events.csv") -> int:
    """Write to stdout; a full disk, a closed pipe or a closed stdout is one line on stderr and exit 1."""
    if sys.stdout is None:  # started with stdout closed (`>&-`): Python then has no sys.stdout at all
        print(f"cannot write to standard output (it is closed); redirect it to a file, e.g. > {example}",
              file=sys.stderr)
        return 1
    try:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    except OSError as err:
        print(f"cannot write to standard output ({err.strerror or err}); redirect it to a file with room, "
              f"e.g. > {example}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
