"""What two SPARQL engines must agree on when they answer the same query."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def comparable(value: str | None):
    """Numbers as numbers, '|'-lists as sets: engines print sums and lists differently."""
    if value is None:
        return None
    if "|" in value:
        return frozenset(value.split("|"))
    try:
        return Decimal(value)
    except InvalidOperation:
        return value
