# PYTHON_ARGCOMPLETE_OK  (argcomplete looks for this line in the entry module's first 1024 bytes)
"""``python -m kb``: the ``kb`` command, for when the console script is not on PATH."""

import sys

from kb.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
