"""Domain errors. No CLI imports here: the CLI translates these at its boundary."""

from __future__ import annotations


class ReporterError(Exception):
    """Base class of every error `reporter` expects and reports without a traceback."""


class ConfigError(ReporterError):
    """The configuration (plugin options, CLI options) is invalid."""


class RunReadError(ReporterError):
    """A run (or one of its files) cannot be read. The run is skipped with a warning.

    `run_id` is the run's path relative to the runs root, `path` the offending file (also
    relative to the runs root where possible), `line` the line number when known.
    """

    def __init__(self, reason: str, *, run_id: str = "", path: str = "", line: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.run_id = run_id
        self.path = path
        self.line = line
        self.partial = False  # True when the run still builds, only a part is missing
        self.verbatim = False  # `reason` is already the whole message (see `part`)

    @classmethod
    def part(cls, message: str, run_id: str) -> RunReadError:
        """A problem with one part of a run that still builds, as its page words it."""
        error = cls(message, run_id=run_id)
        error.partial = error.verbatim = True
        return error

    def where(self) -> str:
        if not self.path:
            return ""
        return f"{self.path}, line {self.line}" if self.line else self.path

    def __str__(self) -> str:
        if self.verbatim:
            return self.reason
        where = self.where()
        run = f"run '{self.run_id}'" if self.run_id else "run"
        return f"Cannot read {run}" + (f" ({where})" if where else "") + f": {self.reason}"


class PredictionsError(RunReadError):
    """A run's predictions file is unusable. The run still builds, without a Performance section."""


class BuildError(ReporterError):
    """The site could not be built; the previous site is left untouched."""


class UsageError(ReporterError):
    """The command was asked for something it must refuse (exit 2), e.g. a site folder that
    would replace the runs or the docs."""
