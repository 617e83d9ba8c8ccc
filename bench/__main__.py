"""python -m bench: measure the dashboard on the curated database and on synthetic ones of 10k, 100k
and 1M events, print a markdown table and write it to docs/benchmarks.md.

    python -m bench            full run; exits 1 when a target is missed
    python -m bench --quick    curated + 10k, 2 runs, no browser unless --browser; never fails on targets
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from bench import load, synth
from bench.report import REAL, render, targets
from bench.runner import QUICK, REPS, Config, run
from defections.paths import ROOT, SEEDS_DIR

# Written by hand and from `python -m bench.load` runs, not by this run: kept as they are.
KEPT = ("\n## How it is measured\n", "\n## Load\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="curated + 10k, few repetitions, no browser; no targets")
    parser.add_argument("--browser", action=argparse.BooleanOptionalAction, default=None,
                        help="run the headless Chromium part (default: on in the full run, off with --quick)")
    parser.add_argument("--sizes", type=lambda text: {s: synth.SIZES[s] for s in text.split(",") if s},
                        help=f"synthetic sizes among {','.join(synth.SIZES)}")
    for name in REPS:
        parser.add_argument(f"--{name}", type=int, help=f"default {getattr(Config, name)}, {QUICK[name]} quick")
    parser.add_argument("--seeds", type=Path, default=SEEDS_DIR, help="the curated seeds to build")
    parser.add_argument("--output", type=Path, help="where to write the markdown")
    args = parser.parse_args(argv)

    sizes = args.sizes if args.sizes is not None else {"10k": synth.SIZES["10k"]} if args.quick else dict(synth.SIZES)
    reps = {**(QUICK if args.quick else {}), **{k: getattr(args, k) for k in REPS if getattr(args, k) is not None}}
    browser = args.browser if args.browser is not None else not args.quick
    largest = [max(sizes, key=sizes.get)] if sizes else []
    config = Config(seeds_dir=args.seeds, sizes=sizes, quick=args.quick, **reps,
                    browser_dbs=(REAL, *largest) if browser else ())
    output = args.output or (synth.OUT_DIR / "benchmarks-quick.md" if args.quick else ROOT / "docs" / "benchmarks.md")

    started = time.perf_counter()
    results = run(config, log=lambda message: print(f"[{time.perf_counter() - started:5.0f} s] {message}",
                                                    file=sys.stderr, flush=True))
    results["seconds"] = time.perf_counter() - started
    markdown = render(results)
    previous = output.read_text(encoding="utf-8") if output.exists() else ""
    if kept := [previous.index(heading) for heading in KEPT if heading in previous]:
        markdown = markdown.rstrip("\n") + "\n\n" + previous[min(kept):].lstrip("\n")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(markdown, encoding="utf-8")
    (synth.OUT_DIR / "last-run.json").write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    print(markdown)
    print(f"written to {output} after {results['seconds'] / 60:.1f} min", file=sys.stderr)
    # The load client, so that it never rots: 5 sessions for a few seconds.
    if args.quick and load.main(["--sessions", "5", "--seconds", "6", "--think", "1.5"]) != 0:
        return 1
    missed = [target for target, _, ok in targets(results) if ok is False and "no target" not in target]
    if missed and not args.quick:
        print(f"{len(missed)} target(s) missed: " + "; ".join(missed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
