"""``python -m parsl_executor_protocol``: the command line."""

import sys

from .cli import main

sys.exit(main())
