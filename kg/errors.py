"""The one exception hierarchy of the project, and the CLI exit code of each."""

from __future__ import annotations


class KgError(Exception):
    """Base of every error the project raises on purpose.

    ``exit_code`` is what the CLI exits with: 2 for bad input or environment,
    1 for a graph that does not conform to the shapes.
    """

    exit_code = 2

    def __init__(self, message: str, *, path: object | None = None) -> None:
        self.path = None if path is None else str(path)
        super().__init__(f"{self.path}: {message}" if self.path else message)


class BadInputError(KgError):
    """A file or value given by the user cannot be used (missing, empty, undecodable, malformed)."""


class EnvironmentProblem(KgError):
    """Something outside the input is wrong: a missing model, a store that is down."""


class StoreError(EnvironmentProblem):
    """A triple store refused, timed out or could not be reached."""


class NonConformance(KgError):
    """The graph does not conform to the SHACL shapes."""

    exit_code = 1
