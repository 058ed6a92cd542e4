"""``python -m mnistlib``: the command line (``mnistlib.cli``)."""

import sys

from mnistlib.cli import main

if __name__ == "__main__":
    sys.exit(main())
