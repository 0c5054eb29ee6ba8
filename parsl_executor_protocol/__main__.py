"""``python -m parsl_executor_protocol``: the command line."""

import sys

from .cli import main

# Guarded: process pools started with "spawn" (Dask's nanny, loky) import the
# main module again in each worker, and must not run the command line there.
if __name__ == "__main__":
    sys.exit(main())
