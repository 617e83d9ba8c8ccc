"""python -m bench: the benchmark (bench/runner.py, docs/benchmarks.md)."""

from bench.runner import main

raise SystemExit(main())
