"""reporter: a static, searchable experiment-report site built from a folder of ML runs."""

from __future__ import annotations

__version__ = "0.1.0"
