"""python -m bench: the benchmark (bench/runner.py, docs/benchmarks.md)."""

import sys

from bench.runner import main

sys.exit(main())
