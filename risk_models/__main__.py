"""``python -m risk_models`` — see :mod:`risk_models.cli`."""

from __future__ import annotations

import sys

from risk_models.cli import main

if __name__ == "__main__":
    sys.exit(main())
