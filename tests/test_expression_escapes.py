"""Config expressions are data, never code: every known escape is refused with a clear message.

Each escape is tried twice: parsed directly, and as the ``where`` of a config run through
``equitykit validate``, which must exit 1 naming the key, print no traceback, create no canary
file and write nothing into the data folder.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from equitykit.cli import main
from equitykit.errors import ConfigError, ExpressionError
from equitykit.expressions import MAX_LENGTH, evaluate, parse_expression

CANARY = "CANARY_SHOULD_NOT_EXIST"
TOUCH = f"open('{CANARY}', 'w')"
SYSTEM = f"system('touch {CANARY}')"

#: (expression, a phrase the message must contain)
ESCAPES: list[tuple[str, str]] = [
    (f"@self.__init__.__globals__['pd'].io.common.os.{SYSTEM}", "'@'"),
    (f"@pd.io.common.os.{SYSTEM}", "'@'"),
    ("Level.__class__.__mro__[-1].__subclasses__()", "attribute access"),
    ("().__class__.__bases__[0].__subclasses__()", "attribute access"),
    (f"__import__('os').{SYSTEM}", "attribute access"),
    ("__import__('os')", "double underscores"),
    ("__builtins__", "double underscores"),
    ("Level.str.len() > 0", "attribute access"),
    ("getattr(Level, '__class__')", "calls 'getattr', which is not allowed"),
    (TOUCH, "calls 'open', which is not allowed"),
    (f"eval(\"{TOUCH}\")", "calls 'eval', which is not allowed"),
    (f"exec(\"{TOUCH}\")", "calls 'exec', which is not allowed"),
    ("import os", "not a valid expression"),
    (f"(lambda: {TOUCH})()", "lambda"),
    (f"[{TOUCH} for x in [1]]", "comprehensions"),
    ("{x for x in Level}", "comprehensions"),
    (f'f"{{{TOUCH}}}"', "f-strings"),
    ("Level[0] == 'D'", "subscripts"),
    (f"(x := {TOUCH})", "assignments"),
    ("9**9**9", "write the exponent as a number"),
    ("2 ** 100000", "exponents are limited"),
    ("'x' * 10**9 == 'y'", "'x' is text, not a number"),
    ("Level * 1000000000 == 'y'", "Level is text, not a number"),
    ("(" * 300 + "1" + ")" * 300, "not a valid expression"),
    ("-" * 100 + "Suspended > 0", "nested too deeply"),
    ("'" + "a" * (MAX_LENGTH + 10) + "' == Level", "is too long"),
    (" or ".join(["a>1"] * 150), "too complex"),
    ("Level if True else Level", "where(c, a, b)"),
    ("Suspended.real", "attribute access"),
    ("b'bytes' == Level", "only numbers, text"),
    ("round(Suspended, ndigits=2) > 1", "named argument"),
    ("where", "without calling it"),
    ("Level in Level", "without a list"),
]


@pytest.mark.parametrize(("expression", "phrase"), ESCAPES)
def test_escape_is_refused(expression: str, phrase: str, tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    table = pd.DataFrame({"Level": ["Division"], "Suspended": [15.0], "a": [1.0]})
    with pytest.raises(ExpressionError, match="where") as info:
        evaluate(expression, table, key="where")
    assert not list(tmp_path.iterdir())
    assert phrase in str(info.value)
    assert isinstance(info.value, ConfigError)


DATA = """\
Level,Div,Year,Race,Suspended,Enrolled
Division,7,2019-2020,Black,15,1300
Division,7,2019-2020,White,5,900
"""


def _config(where: str) -> dict:
    return {"aggregate": {"sources": [{
        "file": "discipline.csv", "where": where, "district_id": {"column": "Div"},
        "school_year": {"column": "Year"}, "measure": "oss", "dimension": "race_ethnicity",
        "group": {"column": "Race"}, "numerator": "Suspended", "denominator": "Enrolled",
    }]}}


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    (data / "discipline.csv").write_text(DATA, encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # a relative canary would land here
    return data


def _validate(folder: Path, where: str, capsys: pytest.CaptureFixture[str]
              ) -> tuple[int, str]:
    config = folder.parent / "config.yml"
    config.write_text(yaml.safe_dump(_config(where)), encoding="utf-8")
    before = sorted(p.name for p in folder.iterdir())
    code = main(["validate", str(folder), "--config", str(config)])
    out, err = capsys.readouterr()
    assert sorted(p.name for p in folder.iterdir()) == before  # validate writes nothing
    return code, out + err


@pytest.mark.parametrize(("expression", "phrase"), ESCAPES)
def test_validate_refuses_the_escape_and_runs_nothing(
        folder: Path, expression: str, phrase: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, text = _validate(folder, expression, capsys)
    assert code == 1
    assert "where" in text and phrase in text
    assert "Traceback" not in text
    assert not list(folder.parent.rglob(f"*{CANARY}*"))


def test_a_valid_where_still_validates(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, text = _validate(folder, 'Level == "Division" and Race in ["Black", "White"]', capsys)
    assert code == 0, text
    assert "1 districts" in text


@pytest.mark.parametrize(("where", "phrase"), [
    ("Levl == 'Division'",
     "reads column 'Levl', which discipline.csv does not have; did you mean 'Level'?"),
    ("Martian == 'x'", "which discipline.csv does not have (columns: 'Level'"),
    ("Level - 1 > 0", "Level is text, not a number"),
    ("Suspended", "is not a condition"),
    ("Suspended == 'fifteen'", "compares Suspended (a number) with 'fifteen' (text)"),
])
def test_expression_mistakes_name_the_key_and_the_column(
        folder: Path, where: str, phrase: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, text = _validate(folder, where, capsys)
    assert code == 1
    assert "discipline.csv: where" in text and phrase in text, text
    assert "Traceback" not in text


TABLE = pd.DataFrame({
    "School Year": ["2018-19", "2019-20", "2020-21", None],
    "Level": ["Division", "School", "Division", "School"],
    "count": [10.0, 20.0, 30.0, float("nan")],
    "percent": [50.0, 25.0, 0.0, 10.0],
})


@pytest.mark.parametrize(("expression", "expected"), [
    ("`School Year` < '2019' and Level == 'Division'", [True, False, False, False]),
    ("Level in ['Division'] or count > 25", [True, False, True, None]),
    ("(Level not in ('Division',)) & ~(count == 20)", [False, False, False, None]),
    ("10 < count <= 20", [False, True, False, None]),
    ("isnull(count)", [False, False, False, True]),
    ("notnull(`School Year`) and not isnull(count)", [True, True, True, False]),
    ("floor(count * 100 / percent + 0.5)", [20.0, 80.0, float("inf"), float("nan")]),
    ("where(count > 15, count, -1)", [-1.0, 20.0, 30.0, -1.0]),
    ("min(count, percent)", [10.0, 20.0, 0.0, 10.0]),
    ("max(count, percent, 40)", [50.0, 40.0, 40.0, 40.0]),
    ("count >= quantile(count, 0.5)", [False, True, True, None]),
    ("row_number()", [1.0, 2.0, 3.0, 4.0]),
    ("round(percent / 3, 1)", [16.7, 8.3, 0.0, 3.3]),
    ("abs(-percent) ** 2 % 7", [1.0, 2.0, 0.0, 2.0]),
    ("count // 7", [1.0, 2.0, 4.0, float("nan")]),
    ("Level + '-' + Level == 'School-School'", [False, True, False, True]),
])
def test_allowed_expressions_evaluate_column_wise(expression: str, expected: list) -> None:
    result = evaluate(expression, TABLE, key="test")
    assert result.index.equals(TABLE.index)
    dtype = "boolean" if isinstance(expected[0], bool) else type(expected[0])
    pd.testing.assert_series_equal(result.astype(dtype), pd.Series(expected, dtype=dtype),
                                   check_names=False)


def test_a_comparison_with_a_missing_value_is_unknown_and_a_condition_drops_it() -> None:
    expression = parse_expression("count > 15")
    assert pd.isna(expression.values(TABLE).iloc[3])
    assert expression.condition(TABLE).tolist() == [False, True, True, False]


def test_names_lists_the_columns_read() -> None:
    names = parse_expression("floor(`No.students` * percIdea / 100 + 0.5)").names
    assert names == ("No.students", "percIdea")


_LEAVES = st.sampled_from(["count", "percent", "Level", "`School Year`", "1", "-2.5", "1e308",
                           "'School'", "True", "row_number()"])


def _combine(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.sampled_from(["+", "-", "*", "/", "//", "%", "**", "==", "!=", "<", ">=", "and",
                              "or", "&", "|"])
    calls = st.sampled_from(["isnull", "notnull", "floor", "ceil", "abs", "not ", "~", "-"])
    return st.one_of(
        st.tuples(inner, binary, inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(calls, inner).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(inner, inner, inner).map(lambda t: f"where({t[0]}, {t[1]}, {t[2]})"),
        st.tuples(inner, inner).map(lambda t: f"max({t[0]}, {t[1]})"),
        inner.map(lambda e: f"quantile({e}, 0.5)"),
        inner.map(lambda e: f"{e} in ['School', 2, -1]"),
    )


@settings(max_examples=300, deadline=None)
@given(st.recursive(_LEAVES, _combine, max_leaves=12), st.integers(0, 4))
def test_any_expression_gives_a_column_or_a_clear_error(expression: str, rows: int) -> None:
    table = TABLE.iloc[:rows]
    try:
        result = evaluate(expression, table, key="where")
    except ExpressionError as err:
        assert str(err).startswith("where: ")
    else:
        assert isinstance(result, pd.Series) and result.index.equals(table.index)


def test_a_long_text_constant_is_refused():
    from equitykit.expressions import MAX_TEXT, parse_expression

    parse_expression('"' + "x" * MAX_TEXT + '" + race', key="students.label")
    with pytest.raises(ExpressionError, match="characters; at most"):
        parse_expression('"' + "x" * (MAX_TEXT + 1) + '" + race', key="students.label")
