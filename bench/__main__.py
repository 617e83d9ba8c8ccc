"""python -m bench: measure the dashboard on the curated database and on synthetic ones of 10k, 100k
and 1M events, print a markdown table and write it to docs/benchmarks.md.

    python -m bench            full run; exits 1 when a target is missed
    python -m bench --quick    curated + 10k, 2 runs, 5 load sessions, no browser unless --browser; never fails
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from bench import synth
from bench.report import LOAD, REAL, render, targets
from bench.runner import QUICK, REPS, Config, run
from defections.paths import ROOT

# Written by hand, not by this run: kept as it is.
KEPT = "\n## How it is measured\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="curated + 10k, few repetitions, no browser; no targets")
    parser.add_argument("--browser", action=argparse.BooleanOptionalAction, default=None,
                        help="run the headless Chromium part (default: on in the full run, off with --quick)")
    parser.add_argument("--sizes", type=lambda text: {s: synth.SIZES[s] for s in text.split(",") if s},
                        help=f"synthetic sizes among {','.join(synth.SIZES)}")
    for name in REPS:
        parser.add_argument(f"--{name}", type=int, help=f"default {getattr(Config, name)}, {QUICK[name]} quick")
    args = parser.parse_args(argv)

    sizes = args.sizes if args.sizes is not None else {"10k": synth.SIZES["10k"]} if args.quick else dict(synth.SIZES)
    reps = {**(QUICK if args.quick else {}), **{k: getattr(args, k) for k in REPS if getattr(args, k) is not None}}
    browser = args.browser if args.browser is not None else not args.quick
    largest = [max(sizes, key=sizes.get)] if sizes else []
    config = Config(sizes=sizes, quick=args.quick, **reps,
                    browser_dbs=(REAL, *largest) if browser else ())
    output = synth.OUT_DIR / "benchmarks-quick.md" if args.quick else ROOT / "docs" / "benchmarks.md"

    started = time.perf_counter()
    results = run(config, log=lambda message: print(f"[{time.perf_counter() - started:5.0f} s] {message}",
                                                    file=sys.stderr, flush=True))
    results["seconds"] = time.perf_counter() - started
    markdown = render(results)
    previous = output.read_text(encoding="utf-8") if output.exists() else ""
    if KEPT in previous:
        markdown = markdown.rstrip("\n") + "\n\n" + previous[previous.index(KEPT):].lstrip("\n")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(markdown, encoding="utf-8")
    (synth.OUT_DIR / "last-run.json").write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    print(markdown)
    print(f"written to {output} after {results['seconds'] / 60:.1f} min", file=sys.stderr)
    # The load client, so that it never rots: in the quick run, an error in its sessions fails the run.
    if args.quick and config.sessions and results.get(LOAD, {}).get("errors", 1):
        print(f"load: {results.get(LOAD)}", file=sys.stderr)
        return 1
    missed = [target for target, _, ok in targets(results) if ok is False]
    if missed and not args.quick:
        print(f"{len(missed)} target(s) missed: " + "; ".join(missed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
