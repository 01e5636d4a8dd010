"""Read back what a client reads: the tables of a report section's HTML, cell by cell."""

from __future__ import annotations

import io

import lxml.html
import pandas as pd


def tables(page: str) -> list[tuple[str, list[dict[str, str]]]]:
    """Each ``<table>`` of ``page`` as (caption, rows), a row being header → cell text."""
    found = []
    for table in lxml.html.fromstring(f"<div>{page}</div>").iter("table"):
        caption = table.find("caption")
        header = [th.text_content().strip() for th in table.iter("th")]
        rows = [dict(zip(header, (td.text_content().strip() for td in tr.findall("td")),
                         strict=True))
                for tr in table.iter("tr") if tr.findall("td")]
        found.append((caption.text_content().strip() if caption is not None else "", rows))
    return found


def table(page: str, caption: str) -> list[dict[str, str]]:
    """The rows of the one table whose caption is ``caption``."""
    hits = [rows for text, rows in tables(page) if text == caption]
    assert len(hits) == 1, (caption, [text for text, _ in tables(page)])
    return hits[0]


def metrics_as_written(audit) -> pd.DataFrame:
    """An audit's metrics.csv as written, read back as text."""
    return pd.read_csv(io.StringIO(audit.metrics_csv()), dtype=str, keep_default_na=False)
