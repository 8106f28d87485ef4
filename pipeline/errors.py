"""User-facing errors.

Every problem with a user's input is raised as :class:`InputError`, which the
CLI and the server turn into one line naming the file and the problem (never a
traceback).
"""

from __future__ import annotations

from pathlib import Path


class ProvriskError(Exception):
    """Base class for errors that are reported to the user as one line."""


class InputError(ProvriskError):
    """A document cannot be read: names the file and says what is wrong with it."""

    def __init__(self, source: str | Path, problem: str) -> None:
        self.source = str(source)
        self.problem = problem
        super().__init__(f"{self.source}: {problem}")


class ConfigError(ProvriskError):
    """A configuration file or setting is missing or invalid."""
