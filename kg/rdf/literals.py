"""How a query result value is printed, the same whichever engine answered.

rdflib writes the decimal 7 as ``7.0`` and Oxigraph as ``7``; tables, CSV and
JSON show numbers in one canonical form so that local and remote results
compare equal.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from rdflib.namespace import XSD

_NUMERIC = {str(XSD.decimal), str(XSD.integer), str(XSD.int), str(XSD.long), str(XSD.nonNegativeInteger),
            str(XSD.positiveInteger)}


def display(value: str, datatype: str | None) -> str:
    """The canonical lexical form of a numeric literal (no exponent, no trailing zeros); other values as they are."""
    if datatype not in _NUMERIC:
        return value
    try:
        number = Decimal(value)
    except InvalidOperation:
        return value
    if not number.is_finite():
        return value
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")
