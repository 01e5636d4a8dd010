"""``OUT/index.html``: one self-contained page listing every district of a batch.

No script, stylesheet, font or image is fetched from anywhere; every string that comes from data
or from an error message is escaped with :func:`html.escape`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from urllib.parse import quote

from .. import __version__
from ._paths import shown
from ._run import STATUSES, DistrictResult

__all__ = ["HEADLINES", "render_index"]

#: How many findings each district shows on the index page.
HEADLINES = 3

_STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;
max-width:70rem;padding:0 1rem;color:#1d2327}
h1{font-size:1.6rem;margin-bottom:.2rem}.meta{color:#555;margin-top:0}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.5rem;
text-align:left;vertical-align:top}th{background:#f4f6f8}
.status{font-weight:600;white-space:nowrap}.ok,.skipped{color:#1b6e34}
.failed,.invalid,.stopped{color:#a4161a}
ol{margin:0;padding-left:1.2rem}pre{white-space:pre-wrap;margin:0;font-size:.85rem}
"""


def render_index(results: Sequence[DistrictResult], out_dir: Path, *, title: str,
                 names: Mapping[str, str] | None = None) -> str:
    """The batch's index page: each district's name (``names``: id → name, the config's
    ``district_names``) and id, status, headline findings and report link.

    Examples
    --------
    >>> page = render_index([], Path("out"), title="Equity audit")
    >>> page.startswith("<!DOCTYPE html>")
    True
    """
    counts = {s: sum(r.status == s for r in results) for s in STATUSES}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    rows = "\n".join(_row(r, out_dir, (names or {}).get(r.district_id, "")) for r in results)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}: all districts</title><style>{_STYLE}</style></head>
<body><h1>{escape(title)}</h1>
<p class="meta">{len(results)} districts: {escape(summary)}. equitykit {escape(__version__)}.</p>
<table><thead><tr><th>District</th><th>Status</th><th>Headline findings</th><th>Report</th>
</tr></thead><tbody>
{rows}
</tbody></table></body></html>
"""


#: The district's files linked from its row, by manifest name (the formats it was written with).
LINKS = {"html": "audit", "pdf": "PDF", "docx": "Word", "brief": "brief",
         "schools": "school reports"}

def _row(result: DistrictResult, out_dir: Path, name: str) -> str:
    district = escape(shown(result.district_id))
    if name.strip():
        district = f"{escape(name.strip())} ({district})"
    status = escape(result.status)
    if result.status in ("ok", "skipped"):
        detail = _headlines(out_dir / result.outputs["findings"])
        link = " · ".join(f'<a href="{escape(quote(result.outputs[name]))}">{label}</a>'
                          for name, label in LINKS.items() if name in result.outputs)
    else:
        detail = f"<pre>{escape(_problem(result))}</pre>"
        failed = result.outputs.get("notebook")
        link = f'<a href="{escape(quote(failed))}">failed notebook</a>' if failed else ""
    return (f'<tr><td>{district}</td><td class="status {status}">{status}</td>'
            f"<td>{detail}</td><td>{link}</td></tr>")


def _headlines(findings_path: Path) -> str:
    try:
        findings = json.loads(findings_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "<em>findings.json could not be read</em>"
    if not findings:
        return "<em>no systemic findings</em>"
    items = "".join(
        f"<li><strong>{escape(str(f.get('title', '')))}</strong> "
        f"{escape(str(f.get('statement', '')))}</li>"
        for f in findings[:HEADLINES]
    )
    return f"<ol>{items}</ol>"


def _problem(result: DistrictResult) -> str:
    if result.error:
        cell = result.error.get("cell")
        where = f"cell {cell}: " if cell is not None else ""
        return f"{where}{result.error['name']}: {result.error['message']}"
    return "\n".join(result.problems)
