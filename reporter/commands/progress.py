"""A progress bar (rich) for long steps, shown only on a terminal."""

from __future__ import annotations

import sys
from types import TracebackType


class ReadProgress:
    def __init__(self, enabled: bool = True, label: str = "Reading runs") -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.label = label
        self._progress = None
        self._task = None

    def __enter__(self) -> ReadProgress:
        if self.enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

            self._progress = Progress(
                self.label,
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("runs", total=None)
        return self

    def update(self, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress.update(self._task, completed=done, total=total)

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.stop()
