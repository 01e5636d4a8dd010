"""The sample-data generator: reproducible to the byte, canonical, longitudinally consistent."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from equitykit import schema
from equitykit.samples import (
    DEFAULT_DISTRICTS,
    SAMPLE_FILES,
    DistrictSpec,
    ensure_samples,
    generate_district,
    generate_samples,
    sample_data_dir,
)

SMALL = [
    DistrictSpec("T01", "Test One", 300, 3, race_mix={"White": 0.5, "Black": 0.3, "Asian": 0.2}),
    DistrictSpec("T02", "Test Two", 400, 4, race_mix={"Hispanic/Latino": 0.7, "White": 0.3},
                 disability_risk_ratios={"Hispanic/Latino": 1.5}),
]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _hashes(folder: Path) -> dict[str, str]:
    return {name: _sha256(folder / name) for name in SAMPLE_FILES.values()}


@pytest.fixture(scope="module")
def shipped(repo_root: Path) -> Path:
    folder = repo_root / "data_samples"
    if not (folder / SAMPLE_FILES["students"]).is_file():
        pytest.fail("data_samples/ has no students.parquet: run generate_samples('data_samples')")
    return folder


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_samples(tmp_path_factory.mktemp("regenerated"))


@pytest.fixture(scope="module")
def tables(shipped: Path) -> dict[str, pd.DataFrame]:
    return {
        table: (pd.read_parquet(shipped / name) if name.endswith(".parquet")
                else pd.read_csv(shipped / name))
        for table, name in SAMPLE_FILES.items()
    }


# --- reproducibility ------------------------------------------------------------------------


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    first = _hashes(generate_samples(tmp_path / "a", districts=SMALL, seed=7))
    second = _hashes(generate_samples(tmp_path / "b", districts=SMALL, seed=7))
    assert first == second


def test_other_seed_gives_other_data(tmp_path: Path) -> None:
    first = _hashes(generate_samples(tmp_path / "a", districts=SMALL, seed=7))
    other = _hashes(generate_samples(tmp_path / "b", districts=SMALL, seed=8))
    assert all(first[name] != other[name] for name in first)


def test_a_district_does_not_depend_on_its_neighbours() -> None:
    # The district id enters the seed: adding or removing other districts never changes one.
    alone = generate_district("T01", n_students=300, n_schools=3, seed=7)
    again = generate_district("T01", n_students=300, n_schools=3, seed=7)
    for name in alone:
        pd.testing.assert_frame_equal(alone[name], again[name])


def _same_writer(shipped_file: Path) -> bool:
    """True when the installed pandas/pyarrow wrote the shipped Parquet file's metadata."""
    import pyarrow

    meta = pq.ParquetFile(shipped_file).metadata
    pandas_meta = (meta.metadata or {}).get(b"pandas", b"")
    return (meta.created_by.endswith(pyarrow.__version__)
            and f'"pandas_version": "{pd.__version__}"'.encode() in pandas_meta)


def test_shipped_data_is_exactly_what_the_generator_writes(shipped: Path,
                                                            regenerated: Path) -> None:
    for name in SAMPLE_FILES.values():
        if name.endswith(".csv") or _same_writer(shipped / name):
            assert _sha256(regenerated / name) == _sha256(shipped / name), name
        else:
            # Parquet metadata (and string/dictionary encodings) follow the pandas and pyarrow
            # versions that wrote the file: compare the decoded content, value for value.
            pd.testing.assert_frame_equal(
                pd.read_parquet(regenerated / name).astype(object),
                pd.read_parquet(shipped / name).astype(object), obj=name,
            )


def test_shipped_data_stays_small(shipped: Path) -> None:
    total = sum((shipped / name).stat().st_size for name in SAMPLE_FILES.values())
    assert total < 5_000_000


# --- schema conformance ---------------------------------------------------------------------


@pytest.mark.skipif(importlib.util.find_spec("equitykit.intake") is None,
                    reason="equitykit.intake not available")
def test_intake_accepts_the_shipped_folder(shipped: Path) -> None:
    from equitykit.intake import validate_folder

    report = validate_folder(shipped)
    assert [str(p) for p in report.problems] == []
    assert report.districts == ("D01", "D02", "D03")
    assert report.years == (2021, 2022, 2023)


_KIND_CHECKS = {
    "string": pd.api.types.is_string_dtype,
    "grade": lambda s: set(s.dropna().astype(str)) <= set(schema.GRADES),
    # A CSV column with blanks (staff exit_year) reads as float: whole numbers then.
    "int": lambda s: pd.api.types.is_integer_dtype(s) or (
        pd.api.types.is_float_dtype(s) and bool((s.dropna() % 1 == 0).all())),
    "number": pd.api.types.is_float_dtype,
    "bool": lambda s: set(s.dropna().astype(str).str.lower()) <= {"true", "false"},
}


@pytest.mark.parametrize("table", list(SAMPLE_FILES))
def test_columns_types_and_codes_follow_the_schema(table: str,
                                                   tables: dict[str, pd.DataFrame]) -> None:
    frame = tables[table]
    expected = [c for c in schema.TABLES[table] if not (table == "survey" and c == "student_id")]
    assert list(frame.columns) == expected
    for column in expected:
        spec = schema.TABLES[table][column]
        values = frame[column]
        if spec.required:
            assert values.notna().all(), column
        if spec.codes is not None:
            assert set(values.dropna().astype(str)) <= set(spec.codes), column
        elif spec.kind in _KIND_CHECKS:
            assert _KIND_CHECKS[spec.kind](values), (column, values.dtype)


def test_generated_dtypes_are_the_canonical_ones() -> None:
    students = generate_district("T01", n_students=300, n_schools=3, seed=1)["students"]
    kinds = {c.name: c.kind for c in schema.TABLES["students"].values()}
    for column, kind in kinds.items():
        dtype = students[column].dtype
        expected = {"bool": "boolean", "int": ("int64", "Int64"), "number": "float64",
                    "string": "string", "category": "category", "grade": "category"}[kind]
        assert str(dtype) in (expected if isinstance(expected, tuple) else (expected,)), column


def test_columns_are_defined_only_where_they_apply(tables: dict[str, pd.DataFrame]) -> None:
    s = tables["students"]
    grade = s["grade"].astype(str)
    high_school = grade.isin(["9", "10", "11", "12"])
    tested = grade.isin(["3", "4", "5", "6", "7", "8", "10"])
    assert (s["advanced_course"].notna() == high_school).all()
    assert (s["algebra1_grade8"].notna() == (grade == "8")).all()
    assert (s["graduated_4yr"].notna() == (grade == "12")).all()
    assert (s["dropped_out"].notna() == (grade == "12")).all()
    assert (s["retained"].notna() == ~grade.isin(["PK", "12"])).all()
    assert not s.loc[~tested, ["math_score", "ela_score", "math_level"]].notna().any().any()
    # 2% of tested students have no score, at random
    assert s.loc[tested, "math_score"].isna().mean() == pytest.approx(0.02, abs=0.005)
    disabled = s["disability"].astype(bool)
    assert (s["disability_category"].notna() == disabled).all()
    assert (s["placement"].notna() == disabled).all()
    assert not (s["section_504"].astype(bool) & disabled).any()
    assert (s["days_absent"] <= s["days_enrolled"]).all()
    assert ((s["oss_count"] > 0) == (s["oss_days"] > 0)).all()
    assert not (s["expelled"].astype(bool) & (s["oss_count"] == 0)).any()
    assert not (s["arrested"].astype(bool) & ~s["referred_law_enforcement"].astype(bool)).any()


def test_levels_follow_the_fixed_cut_points(tables: dict[str, pd.DataFrame]) -> None:
    # level cut points are the grade's state mean + 50 x (-0.75, 0, 0.85); grade 3 mean 480,
    # +10 per grade (grade 10: 550)
    s = tables["students"].dropna(subset=["math_score"])
    grade_no = s["grade"].astype(str).astype(int)
    z = (s["math_score"] - (480 + 10 * (grade_no - 3))) / 50
    expected = 1 + (z >= -0.75).astype(int) + (z >= 0).astype(int) + (z >= 0.85).astype(int)
    assert (s["math_level"].astype(int) == expected).all()


def test_survey_favorable_is_response_four_or_five(tables: dict[str, pd.DataFrame]) -> None:
    survey = tables["survey"]
    assert set(survey["response"]) == {1, 2, 3, 4, 5}
    assert (survey["favorable"].astype(bool) == (survey["response"] >= 4)).all()
    domains = survey.groupby("role", observed=True)["domain"].unique().map(set).to_dict()
    assert domains == {"student": {"belonging", "safety", "adult_support"},
                       "staff": {"belonging", "cultural_responsiveness"},
                       "family": {"belonging", "communication"}}
    assert "student_id" not in survey.columns


def test_survey_respondents_answer_every_item_once(tables: dict[str, pd.DataFrame]) -> None:
    survey = tables["survey"]
    who = survey["respondent_id"].fillna(survey["staff_id"])
    assert who.notna().all()
    items = survey.groupby([survey["district_id"], survey["role"], who], observed=True)[
        "item"].agg(["size", "nunique"])
    assert (items["size"] == items["nunique"]).all()
    students = survey[survey["role"] == "student"]
    asked = students["grade"].astype(str).isin(["8", "11"])
    assert students.loc[asked, "sexual_orientation"].notna().all()
    assert students.loc[~asked, "sexual_orientation"].isna().all()


# --- structure ------------------------------------------------------------------------------


def test_districts_have_their_documented_size(tables: dict[str, pd.DataFrame]) -> None:
    s, schools = tables["students"], tables["schools"]
    for spec in DEFAULT_DISTRICTS:
        per_year = s[s["district_id"] == spec.district_id].groupby("school_year").size()
        # year 1 is exact; later years top every grade up to its size, and retained students
        # can push a grade above it (2% of a grade at most)
        assert per_year.iloc[0] == spec.n_students
        assert per_year.between(spec.n_students, spec.n_students * 1.02).all()
        n_schools = schools[schools["district_id"] == spec.district_id].groupby(
            "school_year").size()
        assert (n_schools == spec.n_schools).all()


def test_every_student_attends_a_school_of_their_level(tables: dict[str, pd.DataFrame]) -> None:
    level_of = {**dict.fromkeys(["PK", "K", "1", "2", "3", "4", "5"], "Elementary"),
                **dict.fromkeys(["6", "7", "8"], "Middle"),
                **dict.fromkeys(["9", "10", "11", "12"], "High")}
    s = tables["students"].merge(tables["schools"], on=["district_id", "school_year",
                                                        "school_id"], how="left")
    assert (s["grade"].astype(str).map(level_of) == s["level"]).all()


def test_students_are_followed_from_year_to_year(tables: dict[str, pd.DataFrame]) -> None:
    s = tables["students"]
    s = s.assign(grade_no=s["grade"].astype(str).map({g: i for i, g in enumerate(schema.GRADES)}))
    keys = ["district_id", "student_id"]
    fixed = ["race_ethnicity", "sex", "econ_disadvantaged", "disability", "disability_category"]
    assert not s.duplicated([*keys, "school_year"]).any()
    for year in (2021, 2022):
        now = s[s["school_year"] == year]
        later = s[s["school_year"] == year + 1]
        both = now.merge(later, on=keys, suffixes=("", "_next"))
        step = both["grade_no_next"] - both["grade_no"]
        retained = both["retained"].astype("boolean").fillna(False).astype(bool)
        assert (step[retained] == 0).all() and (step[~retained] == 1).all()
        for column in fixed:
            before, after = both[column].astype(object), both[f"{column}_next"].astype(object)
            assert ((before == after) | (before.isna() & after.isna())).all(), column
        assert not (both["grade"].astype(str) == "12").any()  # seniors leave
        # about 6% of the others move away each year
        stayers = len(both) / (now["grade"].astype(str) != "12").sum()
        assert stayers == pytest.approx(0.94, abs=0.01)


def test_teachers_match_enrollment(tables: dict[str, pd.DataFrame]) -> None:
    students, staff = tables["students"], tables["staff"]
    keys = ["district_id", "school_year", "school_id"]
    enrollment = students.groupby(keys).size()
    teachers = staff[staff["role"] == "teacher"].groupby(keys).size()
    expected = np.maximum(1, np.round(enrollment / 15)).astype(int)
    assert teachers.to_dict() == expected.to_dict()


def test_bad_arguments_are_explained() -> None:
    with pytest.raises(ValueError, match="at least 3"):
        generate_district("X", n_students=500, n_schools=2)
    with pytest.raises(ValueError, match="consecutive"):
        generate_district("X", n_students=500, n_schools=3, years=(2021, 2023))
    with pytest.raises(ValueError, match="at least 50"):
        generate_district("X", n_students=10, n_schools=3)
    with pytest.raises(ValueError, match="not among"):
        generate_district("X", n_students=500, n_schools=3, survey_years=(2020,))
    with pytest.raises(ValueError, match=r"race_mix: unknown .*'Latino'"):
        generate_district("X", n_students=500, n_schools=3, race_mix={"Latino": 1.0})
    with pytest.raises(ValueError, match="unknown IDEA categories"):
        generate_district("X", n_students=500, n_schools=3,
                          category_risk_ratios={("Black", "LD"): 2.0})
    with pytest.raises(ValueError, match="unique"):
        generate_samples("unused", districts=[SMALL[0], SMALL[0]])


# --- locations ------------------------------------------------------------------------------


def test_sample_data_dir_is_the_checkout_folder(shipped: Path) -> None:
    assert sample_data_dir() == shipped


def test_ensure_samples_generates_once(tmp_path: Path, shipped: Path) -> None:
    folder = ensure_samples(tmp_path / "cache" / "samples")
    assert _hashes(folder)[SAMPLE_FILES["staff"]] == _sha256(shipped / SAMPLE_FILES["staff"])
    stamp = (folder / SAMPLE_FILES["students"]).stat().st_mtime_ns
    assert ensure_samples(folder) == folder
    assert (folder / SAMPLE_FILES["students"]).stat().st_mtime_ns == stamp
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["samples"]  # no staging left
