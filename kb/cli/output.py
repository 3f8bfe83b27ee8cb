"""How a command prints its answer: a table fitted to the terminal, CSV or JSON.

An answer that is a table is plain data first (:class:`Table`: a title, column
names and rows of strings), so the terminal table and ``--csv`` show the same
rows.

- Terminal table: as wide as the terminal (:func:`shutil.get_terminal_size`)
  when standard output is one; piped, ``COLUMNS`` when set, else 120 columns.
  Long cells fold onto the next line instead of being cut: Chinese text has no
  spaces to wrap at, and an ellipsis would hide the end of a name.
- CSV: the csv module's default dialect (RFC 4180 quoting, ``\\r\\n`` line ends),
  a header row of the column names, then one row per table row; a cell holding
  several values (articles) joins them with ``"; "``.
- JSON: UTF-8 text, not ASCII-escaped, indented by one space, ending with a newline.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from typing import Any, TextIO

PIPED_WIDTH = 120  # wide enough for an id, a name and an article name side by side
EMPTY = "—"  # how the terminal table shows a cell with no value (CSV leaves it empty)


@dataclass
class Table:
    """A table answer: ``rows`` hold one string per column, None where there is no value."""

    title: str
    columns: list[str]
    rows: list[list[str | None]] = field(default_factory=list)

    def add(self, *cells: object) -> None:
        self.rows.append([_cell(c) for c in cells])


def _cell(value: object) -> str | None:
    if value is None or value == "" or value == [] or value == ():
        return None
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return str(value)


def table_width(stream: TextIO) -> int:
    """The width to render for: the terminal's, or COLUMNS (else 120) when piped."""
    if _is_terminal(stream):
        return shutil.get_terminal_size().columns
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 0 else PIPED_WIDTH


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream
        return False


def table_text(table: Table, width: int) -> str:
    """The table as plain text ``width`` columns wide, cells folded to fit."""
    from rich.console import Console
    from rich.table import Table as RichTable
    from rich.text import Text

    # Text, not str: rich would read "[rule id]" in a cell as markup and drop it
    rich_table = RichTable(title=Text(table.title))
    for name in table.columns:
        rich_table.add_column(name, overflow="fold")
    for row in table.rows:
        rich_table.add_row(*(Text(EMPTY if cell is None else cell) for cell in row))
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(rich_table)
    return console.export_text().rstrip()


def csv_text(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    writer.writerows(table.rows)  # None is written as an empty field
    return out.getvalue()


def json_text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def print_answer(table: Table | None, data: Any, *, as_json: bool = False, as_csv: bool = False,
                 stream: TextIO | None = None) -> None:
    """Print ``data`` as JSON, ``table`` as CSV, or ``table`` as a terminal table."""
    stream = stream or sys.stdout
    if as_json:
        stream.write(json_text(data))
    elif as_csv and table is not None:
        stream.write(csv_text(table))
    elif table is not None:
        stream.write(table_text(table, table_width(stream)) + "\n")
