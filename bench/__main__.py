"""python -m bench: measure the dashboard on the curated database and on synthetic ones of 10k, 100k
and 1M events, print a markdown table and write it to docs/benchmarks.md.

    python -m bench            full run; exits 1 when a target is missed
    python -m bench --quick    curated + 10k, 2 runs, no browser unless --browser; never fails on targets
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench import synth
from bench.report import render, targets
from bench.runner import REAL, Config, run
from defections.paths import ROOT, SEEDS_DIR

LOAD_HEADING = "\n## Load\n"


def sizes(text: str) -> dict[str, int]:
    """'10k,100k,1M' (or plain numbers) -> {label: events}."""
    parsed = {}
    for label in filter(None, (part.strip() for part in text.split(","))):
        if label in synth.SIZES:
            parsed[label] = synth.SIZES[label]
        else:
            number = int(label.lower().replace("k", "000").replace("m", "000000"))
            parsed[label] = number
    return parsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="curated + 10k, 2 runs, no browser; no targets asserted")
    parser.add_argument("--browser", action=argparse.BooleanOptionalAction, default=None,
                        help="run the headless Chromium part (default: on in the full run, off with --quick)")
    parser.add_argument("--sizes", type=sizes, default=None, help="synthetic sizes, e.g. 10k,100k,1M")
    parser.add_argument("--runs", type=int, default=None, help="repetitions per measure (median reported)")
    parser.add_argument("--seeds", type=Path, default=SEEDS_DIR, help="the curated seeds to build")
    parser.add_argument("--output", type=Path, default=None, help="where to write the markdown")
    args = parser.parse_args(argv)

    chosen = args.sizes
    if chosen is None:
        chosen = {"10k": synth.SIZES["10k"]} if args.quick else dict(synth.SIZES)
    browser = args.browser if args.browser is not None else not args.quick
    largest = max(chosen, key=chosen.get) if chosen else None
    config = Config(seeds_dir=args.seeds, sizes=chosen, runs=args.runs or (2 if args.quick else 5),
                    browser_dbs=tuple(label for label in (REAL, largest) if label) if browser else (),
                    quick=args.quick)
    output = args.output or (synth.OUT_DIR / "benchmarks-quick.md" if args.quick else ROOT / "docs" / "benchmarks.md")

    results = run(config, log=lambda message: print(message, file=sys.stderr, flush=True))
    markdown = render(results)
    # The "## Load" section comes from python -m bench.load runs (minutes per level), not from this run:
    # a rerun of the page benchmark keeps it as it was.
    previous = output.read_text(encoding="utf-8") if output.exists() else ""
    if LOAD_HEADING in previous:
        markdown = markdown.rstrip("\n") + "\n\n" + previous[previous.index(LOAD_HEADING):]
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(markdown, encoding="utf-8")
    (synth.OUT_DIR / "last-run.json").write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    print(markdown)
    print(f"written to {output} after {results['seconds'] / 60:.1f} min", file=sys.stderr)
    if args.quick:  # the load client, so that it never rots: 5 sessions for a few seconds (bench/load.py)
        from bench import load

        if load.main(["--sessions", "5", "--seconds", "6", "--think", "1.5"]) != 0:
            return 1
    missed = [target for target, _, ok in targets(results) if ok is False and "no target" not in target]
    if missed and not args.quick:
        print(f"{len(missed)} target(s) missed: " + "; ".join(missed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
