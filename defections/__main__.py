"""Command line: validate the seeds, build the database, export the events CSV.

    python -m defections validate [--seeds DIR]
    python -m defections build [--seeds DIR] [--db PATH]
    python -m defections export events [--from YEAR] [--to YEAR] [--region REGION ...] [--post COUNTRY ...]
                                       [--category CATEGORY ...] [--confirmation STATUS ...] [--db PATH]
    python -m defections dictionary [--db PATH]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from defections import queries
from defections.build import BuildError, WriteError, build
from defections.db import DatabaseError, connect, unreadable
from defections.export import csv_bytes
from defections.filters import URL_OPTIONS, Filters
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
    check.add_argument("--seeds", type=Path, default=None)
    make = commands.add_parser("build", help="validate the seeds and write the database atomically")
    make.add_argument("--seeds", type=Path, default=None)
    make.add_argument("--db", type=Path, default=None,
                      help="the file to write (default $DEFECTIONS_DB or data/defections.duckdb); a symlink is "
                           "followed: its target is replaced and the link kept")
    export = commands.add_parser("export", help="write a CSV to stdout")
    export.add_argument("table", choices=["events"])
    export.add_argument("--from", dest="year_from", type=year, metavar="YEAR",
                        help="first year of defection (a reversed range is put in order, as the app does)")
    export.add_argument("--to", dest="year_to", type=year, metavar="YEAR")
    export.add_argument("--region", action="append", default=[], metavar="REGION",
                        help="region of the post, e.g. Europe or 'East Asia' (Vladivostok counts as East Asia)")
    export.add_argument("--post", action="append", default=[], metavar="COUNTRY")
    export.add_argument("--category", action="append", default=[])
    export.add_argument("--confirmation", action="append", default=[], metavar="STATUS")
    export.add_argument("--outcome", action="append", default=[], metavar="OUTCOME",
                        help="completed, failed or unknown (default: every outcome is listed; only completed "
                             "defections are counted)")
    export.add_argument("--db", type=Path, default=None)
    dictionary = commands.add_parser("dictionary", help="print the data dictionary as markdown")
    dictionary.add_argument("--db", type=Path, default=None)
    args = parser.parse_args(argv)
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
    path = (args.db or db_path()).resolve()
    try:
        con = connect(path)
        return _read(args, con)
    except duckdb.Error as err:  # a file damaged in the middle opens, then fails a query
        print(unreadable(path, err), file=sys.stderr)
    except DatabaseError as err:
        print(err, file=sys.stderr)
    return 1


def _read(args, con) -> int:
    if args.command == "dictionary":
        return _emit(queries.dictionary_markdown(queries.data_dictionary(con)).encode("utf-8"))
    options = queries.filter_options(con)
    if args.year_from is not None and args.year_to is not None:
        args.year_from, args.year_to = sorted((args.year_from, args.year_to))
    asked = {"region": args.region, "post": args.post, "category": args.category,
             "confirmation": args.confirmation, "outcome": args.outcome}
    known = {name: options[option] for name, option in URL_OPTIONS.items()}
    filters = Filters(args.year_from, args.year_to, posts=tuple(dict.fromkeys(args.post)),
                      categories=tuple(dict.fromkeys(args.category)),
                      confirmations=tuple(dict.fromkeys(args.confirmation)), regions=tuple(dict.fromkeys(args.region)),
                      outcomes=tuple(dict.fromkeys(args.outcome)))
    unknown = [f"--{name} {value!r}" for name, values in asked.items() for value in values
               if value not in known[name]]
    if unknown:
        print(f"unknown {', '.join(unknown)}; regions: {', '.join(known['region'])}; "
              f"posts: {', '.join(known['post'])}; categories: {', '.join(known['category'])}; "
              f"confirmations: {', '.join(known['confirmation'])}; outcomes: {', '.join(known['outcome'])}",
              file=sys.stderr)
        return 2
    if (written := _emit(csv_bytes(queries.export_events(con, filters)))) == 0:
        counts = queries.selection_counts(con, filters).iloc[0]
        left_out = not_counted(counts)
        print(f"{int(counts['defections']):,} defection(s) selected and counted, {int(counts['confirmed']):,} "
              "confirmed by a government" + (f"; {left_out} (the CSV's `counted` column)" if left_out else ""),
              file=sys.stderr)
    return written


def _emit(data: bytes) -> int:
    """Write to stdout; a full disk, a closed pipe or a closed stdout is one line on stderr and exit 1."""
    if sys.stdout is None:  # started with stdout closed (`>&-`): Python then has no sys.stdout at all
        print("cannot write to standard output (it is closed); redirect it to a file, e.g. > events.csv",
              file=sys.stderr)
        return 1
    try:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    except OSError as err:
        print(f"cannot write to standard output ({err.strerror or err}); redirect it to a file with room, "
              "e.g. > events.csv", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
