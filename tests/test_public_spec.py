"""The ``aggregate`` config section: validation errors and each reading feature on tiny files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from equitykit.config import load_config
from equitykit.errors import ConfigError, DataError
from equitykit.public_data import load_aggregate

DISCIPLINE = """\
Level,Div,School,Year,Race,Suspended,Enrolled,Rate
School,7,Oak,2019-2020,"Black, not of Hispanic origin",  12,"  1,200", 1.00%
School,7,Oak,2019-2020,White,<,300,<
School,7,Elm,2019-2020,"Black, not of Hispanic origin",3,100,3.00%
Division,7,,2019-2020,"Black, not of Hispanic origin",15,"1,300",1.15%
State,,,2019-2020,White,900,"90,000",1.00%
"""
BASE = """\
aggregate:
  labels:
    race: {"Black, not of Hispanic origin": Black, White: White}
  sources:
    - file: discipline.csv
      where: Level in ["School", "Division"]
      district_id: {column: Div}
      school_id: {column: School}
      school_year: {column: Year}
      measure: oss
      dimension: race_ethnicity
      group: {column: Race, map: race}
      numerator: Suspended
      denominator: Enrolled
"""


def _load(tmp_path: Path, config: str, files: dict[str, str]) -> pd.DataFrame:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    path = tmp_path / "config.yml"
    path.write_text(textwrap.dedent(config), encoding="utf-8")
    return load_aggregate(tmp_path, load_config(path))


def test_long_source(tmp_path: Path) -> None:
    counts = _load(tmp_path, BASE, {"discipline.csv": DISCIPLINE})
    assert counts.columns.tolist() == [
        "district_id", "school_id", "school_year", "measure", "dimension", "group",
        "numerator", "denominator", "source_suppressed"]
    rows = counts.set_index(["school_id", "group"])
    assert rows.loc[("Oak", "Black"), ["numerator", "denominator"]].tolist() == [12.0, 1200.0]
    assert rows.loc[("", "Black"), ["numerator", "denominator"]].tolist() == [15.0, 1300.0]
    assert np.isnan(rows.loc[("Oak", "White"), "numerator"])           # "<" is not zero
    assert rows["source_suppressed"].tolist() == [False, False, False, True]
    assert set(counts["school_year"]) == {2019} and set(counts["district_id"]) == {"7"}


def test_unmapped_label_names_file_label_and_line(tmp_path: Path) -> None:
    config = BASE.replace("White: White}", "}")
    expected = r"discipline.csv: group label\(s\) \['White'\] \(lines \[3\]\)"
    with pytest.raises(ConfigError, match=expected):
        _load(tmp_path, config, {"discipline.csv": DISCIPLINE})


def test_bad_cell_names_file_column_and_line(tmp_path: Path) -> None:
    bad = DISCIPLINE.replace("  12,", "twelve,")
    with pytest.raises(DataError) as info:
        _load(tmp_path, BASE, {"discipline.csv": bad})
    problem = info.value.problems[0]
    assert (problem.file, problem.column) == ("discipline.csv", "Suspended")
    assert list(problem.rows) == [2]


def test_missing_column_lists_the_file_columns(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no column\(s\) \['Enroled'\]; the file has"):
        _load(tmp_path, BASE.replace("denominator: Enrolled", "denominator: Enroled"),
              {"discipline.csv": DISCIPLINE})


def test_rows_with_the_same_key_are_an_error_unless_combined(tmp_path: Path) -> None:
    twice = DISCIPLINE + "School,7,Elm,2019-2020,Black,4,50,8%\n"
    config = BASE.replace("White: White}", "White: White, Black: Black}")
    with pytest.raises(DataError, match="2 rows give the same count"):
        _load(tmp_path, config, {"discipline.csv": twice})
    combined = _load(tmp_path, config.replace("      measure: oss", "      combine: sum\n"
                                              "      measure: oss"), {"discipline.csv": twice})
    elm = combined[(combined["school_id"] == "Elm")].iloc[0]
    assert (elm["numerator"], elm["denominator"]) == (7.0, 150.0)
    suppressed = DISCIPLINE + "School,7,Elm,2019-2020,Black,<,50,<\n"
    combined = _load(tmp_path, config.replace("      measure: oss", "      combine: sum\n"
                                              "      measure: oss"),
                     {"discipline.csv": suppressed})
    elm = combined[(combined["school_id"] == "Elm")].iloc[0]
    assert np.isnan(elm["numerator"]) and elm["source_suppressed"]   # a suppressed part


WIDE = """\
State,District,SCHID,name,students,pct_dis,iss_Black,oss1_Black,oss2_Black,oss1_dis,oss2_dis,Black_n
CO,denver,6592,a,200,10,6,1,2,NA,1,70
CO,denver,NA,b,50,20,0,0,0,0,0,10
"""
WIDE_CONFIG = """\
aggregate:
  sources:
    - file: wide.csv
      district_id: {template: "{State}-{District}"}
      school_id: {column: SCHID, fallback: name}
      school_year: 2017
      wide: {pattern: '(?P<what>iss|oss1|oss2)_(?P<who>Black|dis)'}
      measure: {capture: what, map: {iss: iss, oss1: oss, oss2: oss}}
      dimension: {capture: who, map: {Black: race_ethnicity, dis: disability}}
      group: {capture: who, map: {Black: Black, dis: "true"}}
      derive: {dis_n: students * pct_dis / 100}
      denominator: {capture: who, map: {Black: Black_n, dis: dis_n}}
"""


def test_wide_source_adds_columns_of_one_group_and_shares_its_denominator(tmp_path: Path) -> None:
    counts = _load(tmp_path, WIDE_CONFIG, {"wide.csv": WIDE})
    got = counts.set_index(["school_id", "measure", "group"])
    assert set(counts["district_id"]) == {"CO-denver"}
    assert set(counts["school_id"]) == {"6592", "b"}                    # NA school → its name
    assert got.loc[("6592", "oss", "Black"), ["numerator", "denominator"]].tolist() == [3.0, 70.0]
    assert got.loc[("6592", "iss", "Black"), ["numerator", "denominator"]].tolist() == [6.0, 70.0]
    assert got.loc[("6592", "oss", "true"), "source_suppressed"]          # NA + 1 stays missing
    assert got.loc[("b", "oss", "true"), ["numerator", "denominator"]].tolist() == [0.0, 10.0]
    assert len(counts) == 6


ENROLLMENT = """\
Year,School,Race,Count
2020,Oak,Black,1200
2020,Oak,White,300
2020,Elm,Black,100
2020,Elm,White,50
"""
SUSPENSIONS = """\
Year,School,Race,Suspended,Percent Top
2020,Oak,Black,12,0.5
2020,Oak,White,3,0.99
2020,Pine,Black,1,0.5
"""
JOIN_CONFIG = """\
aggregate:
  defaults: {district_id: d1, school_year: {column: Year}, school_id: {column: School},
             dimension: race_ethnicity, group: {column: Race}}
  sources:
    - file: enrollment.csv
      measure: enrollment
      numerator: Count
      district_totals: true
    - file: suspensions.csv
      measure: oss
      suppress: {Suspended: "`Percent Top` > 0.95"}
      numerator: Suspended
      denominator: {measure: enrollment}
"""


def test_denominator_joined_from_enrollment_and_district_totals(tmp_path: Path) -> None:
    counts = _load(tmp_path, JOIN_CONFIG, {"enrollment.csv": ENROLLMENT,
                                           "suspensions.csv": SUSPENSIONS})
    got = counts.set_index(["measure", "school_id", "group"])
    assert got.loc[("enrollment", "", "Black"), "numerator"] == 1300.0   # Oak + Elm
    assert got.loc[("enrollment", "Oak", "Black"), "denominator"] == 1200.0
    assert got.loc[("oss", "Oak", "Black"), ["numerator", "denominator"]].tolist() == [12.0,
                                                                                     1200.0]
    assert np.isnan(got.loc[("oss", "Oak", "White"), "numerator"])      # top-coded
    assert np.isnan(got.loc[("oss", "Pine", "Black"), "denominator"])    # no enrollment row
    assert got.loc[("oss", "Pine", "Black"), "source_suppressed"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("numerator: Suspended", "numerator: Suspended\n      colour: red"),
         "aggregate.sources.0.colour: Extra inputs are not permitted"),
        (("measure: oss", "measure: suspended"), r"unknown measure\(s\) \['suspended'\]"),
        (("map: race}", "map: races}"), "label map 'races' is not defined"),
        (("group: {column: Race, map: race}", "group: {capture: who}"),
         "'capture' is only allowed in a source with a 'wide' pattern"),
        (("group: {column: Race, map: race}", "group: {colum: Race}"),
         "a constant, or a mapping with one of 'value', 'column', 'template', 'capture'"),
        (("      numerator: Suspended\n", ""), "give 'numerator'"),
        (("school_id: {column: School}", "school_id: {column: School, offset: 1}"),
         "'offset' is only allowed for school_year"),
        (("denominator: Enrolled", "denominator: Enrolled\n      published: {scale: 100}"),
         "give exactly one of 'column'"),
    ],
)
def test_invalid_section_is_a_config_error_naming_the_key(tmp_path: Path, change: tuple[str, str],
                                                          message: str) -> None:
    path = tmp_path / "config.yml"
    path.write_text(BASE.replace(*change), encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_wrong_group_code_for_its_dimension(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\(dimension, group\) \[\('race_ethnicity', 'Blk'\)\]"):
        _load(tmp_path, BASE.replace("Black, not of Hispanic origin\": Black",
                                     "Black, not of Hispanic origin\": Blk"),
              {"discipline.csv": DISCIPLINE})


def test_config_without_aggregate_section(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no 'aggregate' section"):
        load_aggregate(tmp_path, load_config(None))
