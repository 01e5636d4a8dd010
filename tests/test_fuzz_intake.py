"""Hostile input for ``equitykit validate``: files, values, configs, expressions, outputs.

Every case runs the real command in-process and asserts its exit status, a phrase of the message
that tells the user what to fix, that no traceback is printed, that nothing on disk changed
(``validate`` writes nothing, and no canary file appears), and that it returns at all (an alarm
fails a case that blocks, e.g. on a FIFO). The last cases audit hostile ids and check that the
written ``metrics.csv`` opens in a spreadsheet as data.
"""

from __future__ import annotations

import csv
import io
import os
import random
import signal
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
import yaml
from _intake_samples import students_frame

from equitykit.audit._audit import DistrictAudit
from equitykit.cli import main

CANARY = "FUZZ_CANARY"
HANG_SECONDS = 60


@dataclass(frozen=True)
class Case:
    """One hostile input: how to build it, the exit status and a phrase of the message."""

    name: str
    build: Callable[[Path], None]  # writes into the data folder
    code: int
    phrase: str
    config: str | dict | Callable[[Path], None] | None = None  # YAML text, a mapping, or a builder


def _csv(text: str | bytes, name: str = "students.csv") -> Callable[[Path], None]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return lambda folder: (folder / name).write_bytes(data)


def _students(edit: Callable[[pd.DataFrame], pd.DataFrame] = lambda f: f,
              name: str = "students.csv") -> Callable[[Path], None]:
    return lambda folder: (folder / name).write_text(
        edit(students_frame(12)).to_csv(index=False), encoding="utf-8")


def _cell(column: str, value: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[0, column] = value
        return frame
    return edit


CLEAN = students_frame(12).to_csv(index=False)
LINES = CLEAN.splitlines()


def _lines(edit: Callable[[list[str]], list[str]]) -> Callable[[Path], None]:
    return _csv("\n".join(edit(list(LINES))) + "\n")


def _replace_line(index: int, line: str) -> Callable[[list[str]], list[str]]:
    def edit(lines: list[str]) -> list[str]:
        lines[index] = line
        return lines
    return edit


def _xlsx_bomb(folder: Path) -> None:
    with zipfile.ZipFile(folder / "students.xlsx", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" * 300_000_000)


def _xlsx(folder: Path) -> None:
    students_frame(12).to_excel(folder / "students.xlsx", index=False)


def _parquet(edit: Callable[[pd.DataFrame], pd.DataFrame]) -> Callable[[Path], None]:
    return lambda folder: edit(students_frame(12)).to_parquet(folder / "students.parquet")


def _fifo(name: str) -> Callable[[Path], None]:
    return lambda folder: os.mkfifo(folder / name)


def _symlink_loop(folder: Path) -> None:
    (folder / "students.csv").symlink_to(folder / "loop.csv")
    (folder / "loop.csv").symlink_to(folder / "students.csv")


def _junk(folder: Path) -> None:
    rng = random.Random(16)
    (folder / "students.csv").write_bytes(bytes(rng.randrange(256) for _ in range(4096)))


def _config_file(content: bytes | Callable[[Path], None]) -> Callable[[Path], None]:
    """A config that is not a plain YAML text file (builder gets the config path)."""
    def build(path: Path) -> None:
        if callable(content):
            content(path)
        else:
            path.write_bytes(content)
    return build


BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(8)
) + "title: hello\n"
AGGREGATE = "Level,Div,Year,Race,Suspended,Enrolled\nDivision,7,2019-2020,Black,15,1300\n"


def _aggregate(where: str) -> dict:
    return {"aggregate": {"sources": [{
        "file": "discipline.csv", "where": where, "district_id": {"column": "Div"},
        "school_year": {"column": "Year"}, "measure": "oss", "dimension": "race_ethnicity",
        "group": {"column": "Race"}, "numerator": "Suspended", "denominator": "Enrolled",
    }]}}


FILES = [
    Case("empty file", _csv(""), 1, "the file is empty"),
    Case("whitespace only", _csv(" \n\n  \n"), 1, "the file is empty"),
    Case("header only", _csv(LINES[0] + "\n"), 1, "the table has a header but no data rows"),
    Case("binary junk", _junk, 1, "not a text (CSV) file"),
    Case("PNG named csv", _csv(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64), 1, "it looks like a PNG"),
    Case("xlsx named csv", lambda f: (_xlsx(f), (f / "students.xlsx").rename(f / "students.csv")),
         1, "a ZIP archive"),
    Case("UTF-16 text", _csv(CLEAN.encode("utf-16")), 1, "UTF-16 text?"),
    Case("Windows-1252 accents", _csv(students_frame(12).assign(school_id="École").to_csv(
        index=False).encode("cp1252")), 0, "read as Windows-1252 (cp1252)"),
    Case("undecodable bytes", _csv(LINES[0].encode() + b"\n\x81\x8d\x8f\x90\x9d\n"), 1,
         "not readable as text in UTF-8 or Windows-1252"),
    Case("truncated mid-row", _csv(CLEAN[: CLEAN.index(LINES[5]) + 12]), 1,
         "line 6 has 3 field(s) but the header has 15"),
    Case("truncated mid-quote", _csv(CLEAN + '000099,"2023'), 1,
         'a quote (") opened on line 14 is never closed'),
    Case("ragged row, more fields", _lines(_replace_line(3, LINES[3] + ",extra")), 1,
         "line 4 has 16 field(s) but the header has 15"),
    Case("ragged row, fewer fields", _lines(_replace_line(7, LINES[7].rsplit(",", 3)[0])), 1,
         "line 8 has 12 field(s) but the header has 15"),
    Case("several ragged rows", _lines(lambda ls: [*ls[:2], "a,b", *ls[2:], "c"]), 1,
         "line 3 has 2 field(s) but the header has 15 (and 1 more ragged line(s))"),
    Case("duplicate columns", _csv("student_id,student_id\n" + "1,2\n"), 1,
         "required column 'district_id' is missing"),
    Case("20 MB field", _students(_cell("school_id", "x" * 20_000_000)), 1,
         "is 20,000,0"),
    Case("50,000-character cell", _students(_cell("school_id", "y" * 50_000)), 1,
         "1 cell(s) longer than 10,000 characters"),
    Case("5,000-digit number", _students(_cell("days_enrolled", "9" * 5000)), 1,
         "(5,000 characters)"),
    Case("mapped .txt", _students(name="export.txt"), 1, "unsupported format ('.txt')",
         "data: {files: {students: export.txt}}"),
    Case("mapped .tsv", _students(name="export.tsv"), 1, "unsupported format ('.tsv')",
         "data: {files: {students: export.tsv}}"),
    Case("mapped .XLS", _students(name="export.XLS"), 1, "old Excel (.xls) file",
         "data: {files: {students: export.XLS}}"),
    Case("mapped, no suffix", _students(name="export"), 1, "unsupported format ('no suffix')",
         "data: {files: {students: export}}"),
    Case("mapped .CSV (upper case)", _students(name="export.CSV"), 0,
         "12 rows as the students table", "data: {files: {students: export.CSV}}"),
    Case("mapped ../../etc/passwd", lambda f: None, 1, "outside the data folder",
         "data: {files: {students: ../../../../etc/passwd}}"),
    Case("mapped /etc/passwd", lambda f: None, 1, "outside the data folder",
         "data: {files: {students: /etc/passwd}}"),
    Case("FIFO students.csv", _fifo("students.csv"), 1, "not a regular file (it is a named pipe"),
    Case("FIFO mapped", _fifo("pipe.csv"), 1, "not a regular file (it is a named pipe",
         "data: {files: {students: pipe.csv}}"),
    Case("folder named students.csv", lambda f: (f / "students.csv").mkdir(), 1,
         "not a regular file (it is a folder)"),
    Case("symlink loop", _symlink_loop, 1, "Too many levels of symbolic links"),
    Case("device", lambda f: (f / "students.csv").symlink_to("/dev/zero"), 1,
         "link to a file outside the data folder"),
    Case("dangling symlink", lambda f: (f / "students.csv").symlink_to(f / "gone.csv"), 1,
         "cannot be read: not found"),
    Case("xlsx zip bomb", _xlsx_bomb, 1, "looks like a zip bomb"),
    Case("corrupt xlsx", _csv(b"PK\x03\x04 not really a zip", "students.xlsx"), 1,
         "not a readable Excel workbook"),
    Case("valid xlsx", _xlsx, 0, "12 rows as the students table"),
    Case("Parquet list column", _parquet(lambda f: f.assign(race_ethnicity=[["a"]] * len(f))),
         1, "column 'race_ethnicity': holds lists"),
    Case("Parquet struct column", _parquet(lambda f: f.assign(grade=[{"a": 1}] * len(f))), 1,
         "column 'grade': holds records (a struct)"),
    Case("corrupt Parquet", _csv(b"PAR1 truncated", "students.parquet"), 1,
         "not a readable Parquet file"),
]

VALUES = [
    Case("NaN race", _students(_cell("race_ethnicity", "NaN")), 0,
         "row 2: 1 row(s) have no value"),
    Case("NaN days", _students(_cell("days_enrolled", "NaN")), 0, "usable"),
    Case("inf days", _students(_cell("days_enrolled", "inf")), 1, 'not a number: "inf"'),
    Case("1e309 days", _students(_cell("days_enrolled", "1e309")), 1, 'not a number: "1e309"'),
    Case("1e308 days", _students(_cell("days_enrolled", "1e308")), 1,
         'too large for a count: "1e308"'),
    Case("1e308 score", _students(lambda f: f.assign(math_score="1e308")), 0, "usable"),
    Case("negative days", _students(_cell("days_absent", "-3")), 1, "negative value"),
    Case("fractional days_enrolled", _students(_cell("days_enrolled", "170.5")), 1,
         'not a whole number: "170.5"'),
    Case("date as school year", _students(_cell("school_year", "2023-09-01")), 1,
         'not a number: "2023-09-01"'),
    Case("year 1850", _students(_cell("school_year", "1850")), 1,
         "not a plausible school year"),
    Case("mixed grade types", _students(_cell("grade", "five")), 1,
         'grade outside PK–12 (or an unknown code): "five"'),
    Case("boolean maybe", _students(_cell("english_learner", "maybe")), 1,
         'not true/false: "maybe"'),
    Case("Martian race", _students(_cell("race_ethnicity", "Martian")), 1,
         'unknown code(s): "Martian"'),
    Case("zero-width space in race", _students(_cell("race_ethnicity", "Whi\u200bte")), 1,
         "unknown code(s)"),
    Case("unicode ids", _students(_cell("student_id", "学生-١٢٣-😀")), 0, "usable"),
    Case("whitespace around codes", _students(_cell("race_ethnicity", "  White  ")), 0,
         "usable"),
    Case("formula-like ids", _students(_cell("school_id", '=HYPERLINK("http://x","y")')), 0,
         "usable"),
]

CONFIGS = [
    Case("min_n: true", _students(), 1, "privacy.min_n: Input should be a valid integer",
         "privacy: {min_n: true}"),
    Case("min_n as text", _students(), 1, "privacy.min_n: Input should be a valid integer",
         "privacy: {min_n: '10'}"),
    Case("top_bottom_coding: 1", _students(), 1, "privacy.top_bottom_coding: Input should be a "
         "valid boolean", "privacy: {top_bottom_coding: 1}"),
    Case("unknown key", _students(), 1, "colour: Extra inputs are not permitted",
         "colour: red"),
    Case("billion laughs", _students(), 1, "expand to more than 100,000 values", BILLION_LAUGHS),
    Case("python tag", _students(), 1, "could not determine a constructor",
         f"title: !!python/object/apply:os.system ['touch {CANARY}']"),
    Case("anchor to itself", _students(), 1, "an anchor refers to itself", "a: &a [*a]"),
    Case("nested 500 deep", _students(), 1, "nested", "title: " + "[" * 500 + "]" * 500),
    Case("2 MB config", _students(), 1, "too large", "title: '" + "x" * 2_000_000 + "'"),
    Case("config is a FIFO", _students(), 1, "not a regular file (it is a named pipe",
         _config_file(os.mkfifo)),
    Case("config is a folder", _students(), 1, "not a regular file (it is a folder)",
         _config_file(Path.mkdir)),
    Case("config not UTF-8", _students(), 1, "cannot read the config",
         _config_file(b"title: \xff\xfe\n")),
    Case("config a list", _students(), 1, "expected a mapping of settings", "- a\n- b\n"),
    Case("logo /etc/passwd", _students(), 1, "branding.logo: /etc/passwd is not a PNG",
         "branding: {logo: /etc/passwd}"),
    Case("logo URL", _students(), 1, "is a web address",
         "branding: {logo: 'https://evil.example/x.png'}"),
    Case("unknown table", _students(), 1, "data.files.pupils: unknown table",
         "data: {files: {pupils: x.csv}}"),
    Case("code to invalid value", _students(), 1, "'Blak' is not a valid value",
         "data: {codes: {race_ethnicity: {B: Blak}}}"),
    Case("where: pandas @ escape", _csv(AGGREGATE, "discipline.csv"), 1, "uses '@'",
         _aggregate(f"@self.__init__.__globals__['pd'].io.common.os.system('touch {CANARY}')")),
    Case("where: open()", _csv(AGGREGATE, "discipline.csv"), 1, "calls 'open'",
         _aggregate(f"open('{CANARY}', 'w')")),
    Case("where: dunder chain", _csv(AGGREGATE, "discipline.csv"), 1, "attribute access",
         _aggregate("().__class__.__base__.__subclasses__()")),
    Case("where: 9**9**9", _csv(AGGREGATE, "discipline.csv"), 1, "write the exponent",
         _aggregate("Suspended > 9**9**9")),
    Case("where: lambda", _csv(AGGREGATE, "discipline.csv"), 1, "lambda",
         _aggregate(f"(lambda: open('{CANARY}', 'w'))()")),
    Case("derive: @ escape", _students(), 1, "uses '@'",
         {"data": {"derive": {"students": {"school_id": f"@os.system('touch {CANARY}')"}}}}),
    Case("derive: __import__", _students(), 1, "attribute access",
         {"data": {"derive": {"students": {"school_id": f"__import__('os').system('{CANARY}')"}}}}),
    Case("derive: getattr", _students(), 1, "calls something that is not a function name",
         {"data": {"derive": {"students": {"school_id": "getattr(school_id, 'upper')()"}}}}),
    Case("derive: text arithmetic", _students(), 1, "school_id is text, not a number",
         {"data": {"derive": {"students": {"school_id": "school_id * 1000000000"}}}}),
    Case("derive: row ids", _students(lambda f: f.drop(columns="student_id")), 0, "usable",
         {"data": {"derive": {"students": {"student_id": "row_number()"}}}}),
    Case("aggregate file outside", _csv(AGGREGATE, "discipline.csv"), 1,
         "is not a file inside the data folder",
         {"aggregate": {"sources": [{**_aggregate("Level == 'Division'")["aggregate"]
                                     ["sources"][0], "file": "../../etc/passwd"}]}}),
]

PUBLIC_OK = _aggregate('Level == "Division"')
PUBLIC = [
    Case("public: valid", _csv(AGGREGATE, "discipline.csv"), 0, "1 districts", PUBLIC_OK),
    Case("public: ragged row", _csv(AGGREGATE + "Division,7,2019-2020,White,1,2,3\n",
                                    "discipline.csv"), 1,
         "line 3 has 7 field(s) but the header has 6", PUBLIC_OK),
    Case("public: short row", _csv(AGGREGATE + "Division,7\n", "discipline.csv"), 1,
         "line 3 has 2 field(s) but the header has 6", PUBLIC_OK),
    Case("public: unclosed quote", _csv(AGGREGATE + 'Division,"7,2019-2020,White,1,2\n',
                                        "discipline.csv"), 1,
         'a quote (") opened on line 3 is never closed', PUBLIC_OK),
    Case("public: 5,000-digit count", _csv(AGGREGATE.replace(",15,", "," + "9" * 5000 + ","),
                                           "discipline.csv"), 1, "(5,000 characters)",
         PUBLIC_OK),
    Case("public: FIFO", _fifo("discipline.csv"), 1, "not a regular file (it is a named pipe",
         PUBLIC_OK),
    Case("public: missing file", lambda f: None, 1, "file not found in the data folder",
         PUBLIC_OK),
]

CASES = FILES + VALUES + CONFIGS + PUBLIC


@pytest.fixture(autouse=True)
def _no_hang():
    """Fail a case that blocks instead of answering."""
    def hang(signum, frame):
        raise TimeoutError(f"validate did not return within {HANG_SECONDS} s")
    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(HANG_SECONDS)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.lstat().st_size, p.lstat().st_mtime_ns)
            for p in root.rglob("*")}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_validate_answers_hostile_input_clearly(case: Case, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "data"
    folder.mkdir()
    case.build(folder)
    args = ["validate", str(folder)]
    if case.config is not None:
        config = tmp_path / "config.yml"
        if callable(case.config):
            case.config(config)
        else:
            text = case.config if isinstance(case.config, str) else yaml.safe_dump(case.config)
            config.write_text(text, encoding="utf-8")
        args += ["--config", str(config)]
    before = _snapshot(tmp_path)
    code = main(args)
    out, err = capsys.readouterr()
    text = out + err
    assert code == case.code, text[-2000:]
    assert case.phrase in text, text[-2000:]
    assert "Traceback" not in text
    assert len(text) < 20_000  # a message, not a dump of the input
    assert _snapshot(tmp_path) == before  # validate writes nothing
    assert not list(tmp_path.rglob(f"*{CANARY}*"))


def test_martian_gets_no_misleading_suggestion(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    _students(_cell("race_ethnicity", "Martian"))(tmp_path)
    assert main(["validate", str(tmp_path)]) == 1
    assert "suggestion" not in capsys.readouterr().out


HOSTILE = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "=1+1\r=2"]
NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?%?"  # "-6.2%" is a number too


@pytest.fixture(scope="module")
def hostile_metrics(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, str]]:
    folder = tmp_path_factory.mktemp("hostile")
    students = students_frame(300)
    students["district_id"] = "\t" + HOSTILE[0]
    students["school_id"] = [HOSTILE[i % len(HOSTILE)] for i in range(len(students))]
    students.to_parquet(folder / "students.parquet")  # keeps the carriage return in a cell
    out = folder / "out"
    DistrictAudit.run(data_dir=folder, district_id=HOSTILE[0], output_dir=out)
    text = (out / "metrics.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_ids_are_written_as_text_not_formulas(hostile_metrics: list[dict[str, str]],
                                                      hostile: str) -> None:
    cells = [c for row in hostile_metrics for c in row.values()]
    unsafe = [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")
              or (c.startswith("-") and not pd.Series([c]).str.fullmatch(NUMBER).item())]
    assert unsafe == []
    ids = {row["school_id"] for row in hostile_metrics} | {row["district_id"]
                                                           for row in hostile_metrics}
    assert "'" + hostile.replace("\r", "\n") in ids


# --- links out of the data folder ----------------------------------------------------------------

def test_a_table_linked_to_a_file_outside_the_folder_is_refused(tmp_path, capsys):
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "students.csv").write_text("student_id\n1\n", encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    (data / "students.csv").symlink_to(secret / "students.csv")
    code = main(["validate", str(data)])
    printed = capsys.readouterr()
    assert code == 1
    assert "link to a file outside the data folder" in printed.out + printed.err
    assert "Traceback" not in printed.out + printed.err


def test_a_mapped_file_through_a_linked_folder_is_refused(tmp_path, capsys):
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "students.csv").write_text("student_id\n1\n", encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    (data / "exports").symlink_to(secret)
    config = tmp_path / "client.yml"
    config.write_text("data: {files: {students: exports/students.csv}}\n", encoding="utf-8")
    code = main(["validate", str(data), "--config", str(config)])
    printed = capsys.readouterr()
    assert code == 1
    assert "link to a file outside the data folder" in printed.out + printed.err


# --- a regular expression that would backtrack for ever ------------------------------------------

def _refused_public_data(tmp_path: Path, capsys: pytest.CaptureFixture[str], file: str,
                         text: str, config: str) -> str:
    """Run ``validate`` on one public-data file and its config; assert a clean refusal (exit 1,
    no traceback) and return what was printed."""
    data = tmp_path / "data"
    data.mkdir()
    (data / file).write_text(text, encoding="utf-8")
    (tmp_path / "client.yml").write_text(config, encoding="utf-8")
    code = main(["validate", str(data), "--config", str(tmp_path / "client.yml")])
    printed = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in printed.out + printed.err
    return printed.out + printed.err


def test_a_wide_pattern_with_nested_repetition_is_refused_at_once(tmp_path, capsys):
    printed = _refused_public_data(
        tmp_path, capsys, "counts.csv", "district," + "a" * 40 + "!\n1,2\n",
        "aggregate:\n  sources:\n    - file: counts.csv\n      district_id: {column: district}\n"
        "      school_year: {value: '2023'}\n      measure: {value: enrollment}\n"
        "      wide: {pattern: '(?P<g>(a+)+)'}\n")
    assert "exponential time" in printed


@pytest.mark.parametrize("template", ["{Div", "{Div:{School}}-{Year!r}", "{a.b}", "{}"])
def test_an_aggregate_template_must_be_plain_placeholders(template, tmp_path, capsys):
    printed = _refused_public_data(
        tmp_path, capsys, "counts.csv", "Div,n\n1,2\n",
        "aggregate:\n  sources:\n    - file: counts.csv\n"
        f"      district_id: {{template: '{template}'}}\n"
        "      school_year: {value: '2023'}\n      measure: {value: enrollment}\n"
        "      numerator: n\n")
    assert "template" in printed


def test_a_long_aggregate_derive_chain_is_refused(tmp_path, capsys):
    chain = "".join(f"        d{i}: d{i - 1}\n" for i in range(1, 600))
    printed = _refused_public_data(
        tmp_path, capsys, "counts.csv", "d0,n\n1,2\n",
        "aggregate:\n  sources:\n    - file: counts.csv\n      district_id: {value: '1'}\n"
        "      school_year: {value: '2023'}\n      measure: {value: enrollment}\n"
        "      numerator: d599\n      derive:\n" + chain)
    assert "at most 100" in printed


def test_published_group_counts_above_their_total_fail_validate(tmp_path, capsys):
    rows = ["Div,Year,Race,Total,Grads", "7,2021,All Students,100,80",
            "7,2021,Black,60,50", "7,2021,White,120,20"]
    printed = _refused_public_data(
        tmp_path, capsys, "grad.csv", "\n".join(rows) + "\n",
        "aggregate:\n  labels:\n    g: {All Students: all, Black: Black, White: White}\n"
        "  sources:\n    - &s\n      file: grad.csv\n      where: Race == \"All Students\"\n"
        "      district_id: {column: Div}\n      school_year: {column: Year}\n"
        "      measure: graduated_4yr\n      numerator: Grads\n      denominator: Total\n"
        "    - <<: *s\n      where: Race != \"All Students\"\n      dimension: race_ethnicity\n"
        "      group: {column: Race, map: g}\n")
    assert "more students" in printed
