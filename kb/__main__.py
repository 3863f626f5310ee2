"""`python -m kb ...`: see kb/cli.py."""

import sys

from kb.cli import main

sys.exit(main())
