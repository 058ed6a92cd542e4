"""``python -m benchmarks [--quick] [--only NAME ...]``: run the benchmarks, print the table,
write ``results/bench.csv``.

Every timing is taken next to its baseline in the same process and run, and reported as a
ratio, because absolute times on shared machines drift. Nothing here is asserted in a test.
"""

from __future__ import annotations

import argparse
import sys

from benchmarks import suite


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks the plumbing")
    parser.add_argument("--only", nargs="+", choices=list(suite.BENCHMARKS), help="run these")
    args = parser.parse_args(argv)
    rows = suite.run(args.only or list(suite.BENCHMARKS), quick=args.quick)
    path = suite.write_csv(rows)
    print()
    print(suite.format_table(rows))
    print(f"\n{suite.machine()}\nwritten to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
