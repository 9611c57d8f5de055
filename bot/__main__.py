"""`python -m bot`: the command line."""

from __future__ import annotations

import sys

if __name__ == "__main__":
    try:
        from bot.cli import main
    except KeyboardInterrupt:  # Ctrl-C while the modules load: as quiet as once they have
        sys.exit(130)
    sys.exit(main())
