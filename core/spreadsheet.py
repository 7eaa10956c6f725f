"""CSV files a spreadsheet opens as text: the one ``csv`` writer of the portal's exports.

A cell beginning with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which Excel skips before
reading one) is a formula to Excel and LibreOffice: ``=cmd|' /C calc'!A0`` typed as a stream's name would
run on the customer's machine. OWASP's advice on CSV injection: prefix such a cell with a single quote, so
it is shown as typed. Numbers the portal computes are numbers, not typed text, and stay as they are.
"""

import csv
from decimal import Decimal

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """``value`` as a spreadsheet shows it as text: typed text starting like a formula gets a leading quote."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


class Writer:
    """``csv.writer`` whose every cell goes through ``cell()``."""

    def __init__(self, stream):
        self._writer = csv.writer(stream)

    def writerow(self, row):
        return self._writer.writerow([cell(value) for value in row])
