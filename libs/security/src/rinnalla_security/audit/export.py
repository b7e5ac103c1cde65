"""Log rows as CSV or JSON for the client, the DPO or a supervisor."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

# Spreadsheet programs run cells that start with these as formulas; names and purposes come from outside.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = ";".join(str(item) for item in value) if isinstance(value, list | tuple) else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def rows_to_csv(rows: Sequence[BaseModel], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        values = row.model_dump(mode="json")
        writer.writerow([_cell(values.get(column)) for column in columns])
    return buffer.getvalue()


def rows_to_json(rows: Sequence[BaseModel]) -> list[dict[str, Any]]:
    return [row.model_dump(mode="json") for row in rows]
