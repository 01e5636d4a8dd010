"""School reports (``--by-school``): one page per school, from the district's published table.

The views return DataFrames of published ``metrics.csv`` rows, formatted as the district report
prints them (:func:`cell`, :func:`interval`); :func:`school_page` puts them on a
self-contained, branded page. Nothing here computes a number: the school × group rows and the
shrunken rates (``shrunk_rate``) are rows of the published table, withheld with their cell.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import nbformat
import pandas as pd

from .._words import capitalize, outcome_label, year_label
from ..config import AuditConfig
from ._html import notebook_to_html
from ._tables import html_table, note, skip
from ._views import cell, dimensions, group_name, interval

__all__ = ["SCHOOLS_DIR", "link_school_reports", "school_groups_table", "school_outcomes",
           "school_page", "school_place_table", "schools_index_page", "write_school_reports"]

#: A within-school risk ratio at least this far from 1 (or its inverse) is named in the prose.
NOTABLE_RATIO = 1.25
SHRUNK = "shrunk_rate"


def _rows(published: pd.DataFrame, school_year: int, outcome: str) -> pd.DataFrame:
    p = published
    return p[(p["school_id"] != "") & (p["school_year"] == school_year)
             & (p["outcome"] == outcome)]


def school_outcomes(published: pd.DataFrame, school_id: str, school_year: int, *,
                    withheld: bool = False) -> list[str]:
    """The outcomes whose all-students rate of ``school_id`` in ``school_year`` is published
    (with ``withheld``: those whose rate row is withheld instead)."""
    p = published
    rows = p[(p["school_id"] == school_id) & (p["school_year"] == school_year)
             & (p["measure"] == "rate") & (p["dimension"] == "all")
             & (p["suppressed"] == withheld)]
    return sorted(set(rows["outcome"]))


def school_groups_table(published: pd.DataFrame, school_id: str, outcome: str,
                        school_year: int, config: AuditConfig | None = None) -> pd.DataFrame:
    """One school's groups for ``outcome``: students, rate, and the risk ratio against all
    other students of the same school (its within-school gap) with its 95% interval.

    Examples
    --------
    >>> school_groups_table(pd.DataFrame(columns=["school_id", "school_year", "outcome",
    ...     "dimension", "group", "measure", "suppressed"]), "S1", "oss", 2023).empty
    True
    """
    rows = _rows(published, school_year, outcome)
    rows = rows[rows["school_id"] == school_id]
    order = {d: i for i, d in enumerate(("all", *dimensions(config)))}
    ratios = rows[(rows["measure"] == "risk_ratio") & (rows["comparison"] == "all_other")]
    ratio_of = {(r["dimension"], r["group"]): r for _, r in ratios.iterrows()}
    table = []
    for _, rate in rows[rows["measure"] == "rate"].iterrows():
        dimension, group = rate["dimension"], rate["group"]
        if dimension not in order:
            continue
        ratio = ratio_of.get((dimension, group))
        table.append({
            "_order": (order[dimension], str(group)),
            "group": "All students" if dimension == "all" else group_name(dimension, group,
                                                                          config),
            "students": cell(rate, "n"),
            "rate": cell(rate),
            "risk ratio vs other students of the school": "" if ratio is None else cell(ratio),
            "95% interval": "" if ratio is None else interval(ratio),
        })
    if not table:
        return pd.DataFrame()
    return (pd.DataFrame(table).sort_values("_order", kind="stable").drop(columns="_order")
            .reset_index(drop=True))


def school_place_table(published: pd.DataFrame, outcome: str, school_year: int,
                       names: dict[str, str] | None = None) -> pd.DataFrame:
    """Every school's all-students rate of ``outcome`` beside its shrunken rate and interval,
    highest shrunken rate first (schools whose shrunken rate is withheld last): the school's
    place among the district's schools, not ranked on the noise of small schools.

    Examples
    --------
    >>> school_place_table(pd.DataFrame(columns=["school_id", "school_year", "outcome",
    ...     "dimension", "group", "measure", "suppressed", "value"]), "oss", 2023).empty
    True
    """
    rows = _rows(published, school_year, outcome)
    rows = rows[rows["dimension"] == "all"]
    shrunk = rows[rows["measure"] == SHRUNK].set_index("school_id")
    table = []
    for school_id, rate in rows[rows["measure"] == "rate"].set_index("school_id").iterrows():
        if school_id not in shrunk.index:
            continue
        s = shrunk.loc[school_id]
        table.append({
            "school_id": school_id,
            "_key": (bool(s["suppressed"]), -float(0 if s["suppressed"] else s["value"])),
            "school": (names or {}).get(school_id, school_id),
            "students": cell(rate, "n"),
            "rate": cell(rate),
            "shrunken rate": cell(s),
            "95% interval": interval(s),
        })
    if not table:
        return pd.DataFrame()
    return (pd.DataFrame(table).sort_values(["_key", "school_id"], kind="stable")
            .drop(columns="_key").reset_index(drop=True))


def _place_words(published: pd.DataFrame, school_id: str, outcome: str,
                 school_year: int) -> str:
    """Where the school stands among the schools with a published shrunken rate, in words:
    its third (highest, middle, lowest), or that no school stands out when every school's
    shrunken rate lies inside every other's interval (the schools differ no more than
    chance would make them)."""
    rows = _rows(published, school_year, outcome)
    shrunk = rows[(rows["measure"] == SHRUNK) & (rows["dimension"] == "all")
                  & ~rows["suppressed"]].sort_values(["value", "school_id"],
                                                     ascending=[False, True], kind="stable")
    ranked = shrunk["school_id"].tolist()
    if school_id not in ranked:
        return "Its shrunken rate is not published, so it is not placed among the schools."
    if len(ranked) < 3:
        return ""
    if shrunk["value"].max() <= shrunk["ci_high"].min() and (
            shrunk["value"].min() >= shrunk["ci_low"].max()):
        return ("The schools differ no more than chance would make them: shrunken, their rates "
                "are alike, and no school stands out.")
    where = ("highest", "middle", "lowest")[ranked.index(school_id) * 3 // len(ranked)]
    return f"Its shrunken rate is in the {where} third of the district's schools."


def _gap_words(published: pd.DataFrame, school_id: str, outcome: str, school_year: int,
               config: AuditConfig | None) -> str:
    """The school's largest published within-school gaps, in a sentence."""
    rows = _rows(published, school_year, outcome)
    ratios = rows[(rows["school_id"] == school_id) & (rows["measure"] == "risk_ratio")
                  & ~rows["suppressed"] & (rows["comparison"] == "all_other")]
    notable = ratios[(ratios["value"] >= NOTABLE_RATIO) | (ratios["value"] <= 1 / NOTABLE_RATIO)]
    if notable.empty:
        return ("No group's published rate differs from the other students' of the school by a "
                "quarter or more.")
    notable = notable.assign(_far=(notable["value"].clip(lower=1e-9)).map(
        lambda v: max(v, 1 / v))).sort_values("_far", ascending=False).head(3)
    said = "; ".join(f"{group_name(r['dimension'], r['group'], config)}: {cell(r)} times the "
                     "rate of the other students" for _, r in notable.iterrows())
    return f"Largest gaps within the school (risk ratios): {said}."


def school_page(published: pd.DataFrame, school_id: str, *, config: AuditConfig,
                district_id: str, school_year: int, school_name: str | None = None,
                names: dict[str, str] | None = None,
                places: dict[str, pd.DataFrame] | None = None) -> str:
    """One school's report as a self-contained HTML page: for each outcome, its groups and
    within-school gaps, and its place among the district's schools (shrunken rates;
    ``places``: the :func:`school_place_table` of each outcome when already made)."""
    name = school_name or school_id
    parts = []
    for outcome in school_outcomes(published, school_id, school_year):
        groups = school_groups_table(published, school_id, outcome, school_year, config)
        place = (places[outcome] if places is not None and outcome in places
                 else school_place_table(published, outcome, school_year, names))
        label = outcome_label(outcome)
        parts.append(f'<h2 id="{html.escape(outcome)}">'
                     f"{html.escape(capitalize(label))}</h2>")
        parts.append(html_table(groups, caption=f"{name}: {label} by group")
                     if not groups.empty else skip("No published rates by group."))
        parts.append(note(_gap_words(published, school_id, outcome, school_year, config)))
        if not place.empty:
            parts.append(html_table(place.drop(columns="school_id"),
                                    caption=f"{label}: the district's schools"))
            words = _place_words(published, school_id, outcome, school_year)
            if words:
                parts.append(note(words))
    if not parts:
        parts.append(skip("No published rates for this school."))
    hidden = school_outcomes(published, school_id, school_year, withheld=True)
    if hidden:
        parts.append(note("Not shown, as the school's rate for all students is withheld to "
                          "protect students' privacy: "
                          + ", ".join(outcome_label(o) for o in hidden) + "."))
    about = f"{name} · {config.district_name(district_id)} · {year_label(school_year)} school year"
    return _page(config, about, _INTRO + "".join(parts))


_INTRO = note(
    "This report shows the school's own groups for each outcome: each group's rate and how it "
    "compares with the other students of the same school (a risk ratio above 1 means the group "
    "has the outcome more often). It then shows the school among the district's schools. "
    "Rates of small schools swing by chance, so the schools are ordered by shrunken rates: "
    "each school's rate pulled toward the schools' average, more so the fewer its students. "
    "Numbers withheld to protect students' privacy read \"suppressed\".")


def schools_index_page(links: dict[str, str], *, config: AuditConfig, district_id: str,
                       school_year: int, names: dict[str, str] | None = None) -> str:
    """The list of a district's school reports (``links``: school id → relative link)."""
    items = "".join(
        f'<li><a href="{html.escape(link)}">{html.escape((names or {}).get(s, s))}</a></li>'
        for s, link in links.items())
    about = f"{config.district_name(district_id)} · {year_label(school_year)} school year"
    return _page(config, about, f'<h2 id="schools">School reports</h2><ul>{items}</ul>')


def _page(config: AuditConfig, about: str, body: str) -> str:
    """A page with the district report's masthead, contents, branding and footer."""
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": body})]
    notebook = nbformat.v4.new_notebook(cells=[cell])
    return notebook_to_html(notebook, config=config, subtitle=about)


#: The district folder's sub-folder of school reports, its index page and its id → file map.
SCHOOLS_DIR = "schools"
SCHOOLS_INDEX = "index.html"
SCHOOLS_MAP = "schools.json"
SCHOOL_FILE = "audit.html"


def write_school_reports(audit, folder: Path) -> dict[str, str]:
    """Write ``folder/schools/``: one ``<school>/audit.html`` per school with published rates,
    ``index.html`` linking them and ``schools.json`` (school id → report, relative to
    ``folder``). School ids are data: each report's folder is a safe, unique name made from
    the id (plain ids as they are, others a slug and a hash), never the id itself. Returns the
    map."""
    from ..execute._paths import confined, folder_names
    from ._sections import _school_names

    p = audit.published
    p = p[(p["school_id"] != "") & (p["school_year"] == audit.school_year)]
    ids = sorted(set(p.loc[p["measure"] == "rate", "school_id"].astype(str)))
    names = _school_names(audit)
    base = confined(folder, SCHOOLS_DIR)
    base.mkdir(exist_ok=True)
    places = {o: school_place_table(p, o, audit.school_year, names)
              for o in sorted(set(p["outcome"]))}
    links = {}
    for school_id, name in folder_names(ids).items():
        page = school_page(p, school_id, config=audit.config, district_id=audit.district_id,
                           school_year=audit.school_year, school_name=names.get(school_id),
                           names=names, places=places)
        confined(base, name).mkdir(exist_ok=True)
        confined(base, name, SCHOOL_FILE).write_text(page, encoding="utf-8")
        links[school_id] = f"{name}/{SCHOOL_FILE}"
    index = schools_index_page(links, config=audit.config, district_id=audit.district_id,
                               school_year=audit.school_year, names=names)
    confined(base, SCHOOLS_INDEX).write_text(index, encoding="utf-8")
    mapping = {s: f"{SCHOOLS_DIR}/{link}" for s, link in links.items()}
    confined(base, SCHOOLS_MAP).write_text(json.dumps(mapping, indent=2, ensure_ascii=False),
                                           encoding="utf-8")
    return mapping


def link_school_reports(page: str) -> str:
    """The district's report ``page`` with a link to its school reports under its contents."""
    link = (f'<p class="ek-schools"><a href="{SCHOOLS_DIR}/{SCHOOLS_INDEX}">School reports'
            "</a></p></nav>")
    return page.replace("</nav>", link, 1)
