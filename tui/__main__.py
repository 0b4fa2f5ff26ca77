"""``python -m tui``: the ``piyue`` program (the command line, which launches the reader).

The one place the reader package refers to the command line: an entry point, not an import
any reader module makes (the architecture test allows exactly this file).
"""

from cli import main

raise SystemExit(main())
