"""The web pages' common parts: Jinja2 environments that also find the site's shared
layout (``templates/site.html.j2``: light and dark colours, phone to desktop widths,
visible focus), bar charts drawn as inline SVG (no script; the numbers are also
given as a table by the page), and tables as CSV for spreadsheets."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import Environment

SHARED = Path(__file__).with_name("templates")


def templates(folder: Path | None = None) -> Environment:
    """An environment for the templates in ``folder`` (and the shared ones), escaping
    every value it renders. Jinja2 is imported at the first page, not at start."""
    from jinja2 import Environment, FileSystemLoader

    return Environment(
        loader=FileSystemLoader([*([folder] if folder else []), SHARED]),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: float
    label: str


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: int
    height: int
    top: float
    first: str
    last: str


def bar_chart(values: list[tuple[str, float]], width: int = 600, height: int = 120) -> Chart:
    """Bars for ``(label, value)`` pairs, left to right, scaled to the highest."""
    top = max((value for _, value in values), default=0) or 1
    step = width / max(len(values), 1)
    bars = [Bar(round(i * step + step * 0.1, 1), round(height - value / top * height, 1),
                round(step * 0.8, 1), round(value / top * height, 1), value, label)
            for i, (label, value) in enumerate(values)]
    return Chart(bars, width, height, top, values[0][0] if values else "",
                 values[-1][0] if values else "")


# What a spreadsheet would take for a formula at the start of a cell ("=cmd|..."): text
# people wrote in chat must stay text when the table is opened.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def csv_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """RFC 4180 CSV with a header row; a text cell that starts like a formula is written
    with a leading ``'`` (numbers, negative ones too, are left as they are)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([("'" + cell) if isinstance(cell, str) and cell[:1] in _FORMULA
                      else cell for cell in row] for row in rows)
    return out.getvalue()
