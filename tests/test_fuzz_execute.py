"""Fuzz of the execution layer: hostile district ids, output folders, command-line arguments,
concurrent runs, resume states and signals.

Every case checks the exit status, a specific phrase of the message (and no traceback), and
the disk: nothing outside the output folder changes, no private ``.tmp-``/``.old-`` name is
left, and files the user had in the output folder are intact.
"""

from __future__ import annotations

import ast
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from _execute_data import wait_unlocked, write_notebook, write_students
from papermill.translators import PythonTranslator

from equitykit import cli
from equitykit.execute import _batch, _pools, _run
from equitykit.execute._lock import LOCK
from equitykit.execute._paths import RESERVED, folder_names

#: Writes the two outputs from the parameters alone (fast); fails for "BOOM"; sleeps when asked.
FAST_CELL = """\
import json, os, time
from pathlib import Path
import pandas as pd
if district_id == "BOOM":
    raise ValueError("planted failure")
time.sleep(float(os.environ.get("EQUITYKIT_TEST_SLEEP", "0")))
pd.DataFrame({"district_id": [district_id], "measure": ["rate"], "value": [0.25]}).to_csv(
    Path(output_dir, "metrics.csv"), index=False)
Path(output_dir, "findings.json").write_text(json.dumps([{"title": district_id,
                                                           "statement": "planted"}]))
"""

#: Hostile ids, by a readable case name.
HOSTILE = {
    "parent": "../victim",
    "dotdot": "..",
    "dot": ".",
    "absolute": "/abs/path",
    "slash": "a/b",
    "backslash": "a\\b",
    "long-300-bytes": "é" * 150,
    "index-html": "index.html",
    "manifest-json": "manifest.json",
    "metrics-csv": "metrics.csv",
    "failed-folder": "failed",
    "tmp-prefix": ".tmp-D1",
    "old-prefix": ".old-D1",
    "windows-con": "CON",
    "windows-lpt1-ext": "lpt1.txt",
    "unicode": "Écoles",
    "emoji": "🏫",
    "case-upper": "D01",
    "case-lower": "d01",
    "formula": '=HYPERLINK("x")',
    "dash-option": "-rf",
    "glob-star": "*",
    "home": "~",
    "shell": "$(id)",
    "quote-escape": '\\";import os;os.system("id")#',
}
#: Ids with a control character: "invalid", nothing written.
CONTROL = {"nul": "x\x00y", "tab": "a\tb", "newline": "a\nb"}
ORDINARY = ("0123", "north-county_2", "D02")
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
PRIVATE = re.compile(r"\.(tmp|old)-[0-9a-f]{16}-")


# ------------------------------------------------------------------------------------ helpers

@pytest.fixture(scope="module")
def notebook(tmp_path_factory) -> Path:
    return write_notebook(tmp_path_factory.mktemp("nb") / "fast.ipynb", FAST_CELL)


@pytest.fixture(scope="module", autouse=True)
def fast_notebook(notebook):
    """Every command of this module runs the fast notebook (module fixtures included)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_run, "default_notebook", lambda: notebook)
        yield


@pytest.fixture(scope="module")
def hostile_data(tmp_path_factory) -> Path:
    """Every hostile, control and ordinary id, plus BOOM (its notebook fails), as Parquet."""
    folder = tmp_path_factory.mktemp("hostile")
    ids = (*HOSTILE.values(), *CONTROL.values(), *ORDINARY, "BOOM")
    write_students(folder, districts=ids, name="students.parquet")
    return folder


@pytest.fixture(scope="module")
def small_data(tmp_path_factory) -> Path:
    """Two ordinary districts, D01 and D02, plus BOOM."""
    folder = tmp_path_factory.mktemp("small")
    write_students(folder, districts=("D01", "D02", "BOOM"))
    return folder


@pytest.fixture
def root(tmp_path) -> Path:
    """A sandbox: ``victim/keep.txt`` must survive; the output folder is ``out``."""
    (tmp_path / "victim").mkdir()
    (tmp_path / "victim" / "keep.txt").write_text("the user's file")
    return tmp_path


def _snapshot(folder: Path, skip: Path | None = None) -> dict[str, str]:
    """Every path under ``folder`` (except ``skip``) with its kind and content digest."""
    seen = {}
    for path in sorted(folder.rglob("*")):
        if skip is not None and (path == skip or skip in path.parents):
            continue
        if path.is_symlink():
            seen[str(path)] = f"link:{os.readlink(path)}"
        elif path.is_dir():
            seen[str(path)] = "dir"
        else:
            seen[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return seen


def _run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    captured = capsys.readouterr()
    for text in (captured.out, captured.err):
        assert "Traceback" not in text, text
    return code, captured.out, captured.err


def _assert_clean(out: Path, users: tuple[str, ...] = ()) -> None:
    """No private name of any run and no lock left in the output folder (``users``: the
    user's own look-alikes, which stay)."""
    if out.is_dir():
        left = [p.name for p in out.iterdir()
                if (PRIVATE.match(p.name) or p.name == LOCK) and p.name not in users]
        assert not left, left


def _manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())


# ---------------------------------------------------------------------------- hostile ids

@pytest.mark.parametrize("district", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_id_audits_into_a_safe_folder_inside_out(district, hostile_data, root, capsys):
    out = root / "out"
    before = _snapshot(root, skip=out)
    code, stdout, _ = _run_cli(capsys, "audit", hostile_data, f"--district={district}",
                               "--out", out)
    assert code == 0
    [folder] = [p for p in out.iterdir() if p.is_dir()]
    assert stdout.strip().endswith(str(folder / "audit.html"))
    assert SAFE_NAME.fullmatch(folder.name) and len(folder.name.encode()) <= 100
    assert folder.name.casefold() not in RESERVED
    stamp = json.loads((folder / ".equitykit-stamp.json").read_text())
    assert stamp["result"]["district_id"] == district
    assert stamp["result"]["folder"] == folder.name
    metrics = pd.read_csv(folder / "metrics.csv", dtype=str, keep_default_na=False)
    assert list(metrics["district_id"]) == [district]
    assert _snapshot(root, skip=out) == before
    assert not Path("/abs").exists()
    _assert_clean(out)


@pytest.mark.parametrize("district", CONTROL.values(), ids=CONTROL.keys())
def test_id_with_a_control_character_is_invalid_and_writes_nothing(district, hostile_data,
                                                                   root, capsys):
    out = root / "out"
    code, _, stderr = _run_cli(capsys, "audit", hostile_data, f"--district={district}",
                               "--out", out)
    assert code == 1
    assert "contains a control character" in stderr and repr(district) in stderr
    assert [p.name for p in out.iterdir()] == []


@pytest.mark.parametrize("district", ORDINARY)
def test_ordinary_id_keeps_its_own_folder(district, hostile_data, root, capsys):
    out = root / "out"
    code, stdout, _ = _run_cli(capsys, "audit", hostile_data, "--district", district,
                               "--out", out)
    assert code == 0
    assert stdout.strip().endswith(str(out / district / "audit.html"))
    _assert_clean(out)


@pytest.mark.parametrize("district", ["../../victim", "", "   ", "D1/../../victim"],
                         ids=["parent-not-in-data", "empty", "blank", "traversal-not-in-data"])
def test_audit_of_an_id_not_in_the_data_touches_nothing(district, hostile_data, root, capsys):
    out = root / "out"
    before = _snapshot(root)
    code, _, stderr = _run_cli(capsys, "audit", hostile_data, f"--district={district}",
                               "--out", out)
    assert code == 2
    assert "is not in" in stderr and "the districts there are" in stderr
    assert _snapshot(root) == before  # not even the output folder was created


def test_batch_of_every_hostile_id(hostile_data, root, capsys):
    out = root / "out"
    before = _snapshot(root, skip=out)
    code, stdout, _ = _run_cli(capsys, "batch", hostile_data, "--out", out, "--workers", "2")
    assert code == 3
    assert "not complete:" in stdout and "'x\\x00y'" in stdout and "BOOM" in stdout
    districts = _manifest(out)["districts"]
    expected = folder_names(districts)
    assert len({f.casefold() for f in expected.values()}) == len(expected)
    for district, entry in districts.items():
        assert entry["folder"] == expected[district]
        if district in CONTROL.values():
            assert entry["status"] == "invalid" and not (out / entry["folder"]).exists()
        elif district == "BOOM":
            assert entry["status"] == "failed"
            assert entry["outputs"] == {"notebook": "failed/BOOM.ipynb"}
        else:
            assert entry["status"] == "ok", district
            assert entry["outputs"]["html"] == f"{entry['folder']}/audit.html"
            assert (out / entry["outputs"]["html"]).is_file()
    for district in ("D02", "0123", "north-county_2"):
        assert districts[district]["folder"] == district
    stacked = pd.read_csv(out / "metrics.csv", dtype=str, keep_default_na=False)
    ok = [d for d, e in districts.items() if e["status"] == "ok"]
    assert sorted(stacked["district_id"]) == sorted(ok)
    page = (out / "index.html").read_text()
    assert page.count('">audit</a>') == len(ok)
    assert _snapshot(root, skip=out) == before
    _assert_clean(out)


@pytest.mark.parametrize("district", [*HOSTILE.values(), *CONTROL.values()],
                         ids=[*HOSTILE.keys(), *CONTROL.keys()])
def test_id_reaches_the_notebook_as_the_same_string(district):
    """papermill writes the id into the parameters cell as a literal, never as code."""
    source = PythonTranslator.translate(district)
    assert isinstance(ast.parse(source, mode="eval").body, ast.Constant)
    assert ast.literal_eval(source) == district


# ---------------------------------------------------------------------------- output folders

def test_out_is_a_file(small_data, root, capsys):
    target = root / "victim" / "keep.txt"
    code, _, stderr = _run_cli(capsys, "batch", small_data, "--out", target)
    assert code == 2 and "is a file, not a folder" in stderr
    assert target.read_text() == "the user's file"


def test_out_under_a_file(small_data, root, capsys):
    code, _, stderr = _run_cli(capsys, "batch", small_data, "--out",
                               root / "victim" / "keep.txt" / "out")
    assert code == 2 and "part of the path is a file" in stderr
    assert (root / "victim" / "keep.txt").read_text() == "the user's file"


def test_out_cannot_be_created(small_data, capsys):
    code, _, stderr = _run_cli(capsys, "audit", small_data, "--district", "D01",
                               "--out", "/sys/equitykit-fuzz-out")
    assert code == 2 and "cannot create the output folder" in stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_out_not_writable(small_data, root, capsys):
    out = root / "out"
    out.mkdir(mode=0o500)
    try:
        code, _, stderr = _run_cli(capsys, "batch", small_data, "--out", out)
    finally:
        out.chmod(0o700)
    assert code == 2 and "cannot write into the output folder" in stderr


@pytest.mark.parametrize("out", ["", "  "], ids=["empty", "blank"])
def test_out_empty_name(out, small_data, capsys):
    code, _, stderr = _run_cli(capsys, "batch", small_data, f"--out={out}")
    assert code == 2 and "expected a folder" in stderr


def test_users_files_in_out_are_kept(small_data, root, capsys):
    out = root / "out"
    for name in (".tmp-foo", ".old-bar", ".tmp-D1", ".tmp-0123456789abcdef-D01-aaaa"):
        (out / name).mkdir(parents=True)
        (out / name / "mine.txt").write_text(name)
    (out / "notes.txt").write_text("notes")
    before = _snapshot(out)
    code, _, _ = _run_cli(capsys, "batch", small_data, "--out", out, "--districts", "D01,D02",
                          "--workers", "1")
    assert code == 0
    after = _snapshot(out)
    assert {k: v for k, v in after.items() if k in before} == before
    _assert_clean(out, users=(".tmp-0123456789abcdef-D01-aaaa",))


def test_a_users_folder_named_like_a_district_is_left_alone(small_data, root, capsys):
    out = root / "out"
    (out / "D01").mkdir(parents=True)
    (out / "D01" / "report.docx").write_text("the consultant's draft")
    code, stdout, _ = _run_cli(capsys, "batch", small_data, "--out", out,
                               "--districts", "D01,D02", "--workers", "1")
    assert code == 3 and "not complete: D01" in stdout
    entry = _manifest(out)["districts"]["D01"]
    assert "holds files equitykit did not write (report.docx)" in entry["error"]["message"]
    assert [p.name for p in (out / "D01").iterdir()] == ["report.docx"]
    assert (out / "D02" / "audit.html").is_file()
    _assert_clean(out)


def test_a_link_from_out_to_elsewhere_is_not_followed(small_data, root, capsys):
    out = root / "out"
    out.mkdir()
    (out / "D01").symlink_to(root / "victim", target_is_directory=True)
    before = _snapshot(root / "victim")
    code, _, _ = _run_cli(capsys, "batch", small_data, "--out", out,
                          "--districts", "D01,D02", "--workers", "1")
    assert code == 3
    assert "leads outside the output folder" in _manifest(out)["districts"]["D01"]["error"][
        "message"]
    assert _snapshot(root / "victim") == before
    _assert_clean(out)


def test_a_failed_notebook_is_not_written_through_a_link(small_data, root, capsys):
    out = root / "out"
    out.mkdir()
    (out / "failed").symlink_to(root / "victim", target_is_directory=True)
    before = _snapshot(root / "victim")
    code, _, _ = _run_cli(capsys, "batch", small_data, "--out", out,
                          "--districts", "BOOM,D01", "--workers", "1")
    assert code == 3
    entry = _manifest(out)["districts"]["BOOM"]
    assert entry["status"] == "failed" and "leads outside" in entry["error"]["message"]
    assert _snapshot(root / "victim") == before
    _assert_clean(out)


def test_out_may_itself_be_a_link_to_a_folder(small_data, root, capsys):
    real = root / "real"
    real.mkdir()
    (root / "out").symlink_to(real, target_is_directory=True)
    code, _, _ = _run_cli(capsys, "audit", small_data, "--district", "D01", "--out",
                          root / "out")
    assert code == 0 and (real / "D01" / "audit.html").is_file()
    _assert_clean(real)


# ---------------------------------------------------------------------- locks and leftovers

def _hold_lock(out: Path, record: dict):
    out.mkdir(parents=True, exist_ok=True)
    handle = (out / LOCK).open("w")
    handle.write(json.dumps(record))
    handle.flush()
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return handle


@pytest.mark.parametrize("command", ["batch", "audit"])
def test_a_second_run_into_a_locked_out_is_refused(command, small_data, root, capsys):
    out = root / "out"
    handle = _hold_lock(out, {"pid": 4242, "host": "h", "command": "batch",
                              "started": "2026-01-01T00:00:00+00:00",
                              "token": "0123456789abcdef"})
    (out / ".tmp-0123456789abcdef-D01-aaaa").mkdir()  # the running batch's private folder
    try:
        before = _snapshot(out)
        extra = ["--district", "D01"] if command == "audit" else []
        code, _, stderr = _run_cli(capsys, command, small_data, "--out", out, *extra)
        assert code == 2
        assert "another equitykit run (equitykit batch, process 4242" in stderr
        assert "wait for it to finish, or choose another --out" in stderr
        assert _snapshot(out) == before
    finally:
        handle.close()


def test_a_stale_lock_is_taken_over_and_only_its_leftovers_removed(small_data, root, capsys):
    out = root / "out"
    token = "fedcba9876543210"
    _hold_lock(out, {"pid": 999999, "command": "batch", "token": token}).close()
    (out / f".tmp-{token}-D01-1234abcd").mkdir()
    (out / f".tmp-{token}-D01-1234abcd" / "audit.ipynb").write_text("half")
    (out / f".tmp-{token}-metrics.csv").write_text("half")
    (out / ".tmp-foo").mkdir()
    code, _, _ = _run_cli(capsys, "batch", small_data, "--out", out, "--districts", "D01",
                          "--workers", "1")
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == [".tmp-foo", "D01", "index.html",
                                                      "manifest.json", "metrics.csv"]


@pytest.mark.parametrize("content", ['{"token": "*"}', '{"token": ".."}', "not json", "",
                                     '["token"]'], ids=["star", "dotdot", "garbage", "empty",
                                                        "list"])
def test_a_lock_file_with_odd_content_deletes_nothing(content, small_data, root, capsys):
    out = root / "out"
    out.mkdir()
    (out / LOCK).write_text(content)
    for name in (".tmp-a-b", ".old-x-y", ".tmp-..-z"):
        (out / name).mkdir()
    code, _, _ = _run_cli(capsys, "audit", small_data, "--district", "D02", "--out", out)
    assert code == 0
    assert {".tmp-a-b", ".old-x-y", ".tmp-..-z", "D02"} == {p.name for p in out.iterdir()}


def test_a_swap_interrupted_by_a_kill_is_undone(small_data, root, capsys):
    """Killed between moving the old D01 aside and putting the new one in place: the next run
    puts the old one back (its checksums match, so --resume keeps it)."""
    out = root / "out"
    assert _run_cli(capsys, "batch", small_data, "--out", out, "--districts", "D01,D02",
                    "--workers", "1")[0] == 0
    token = "00112233445566aa"
    _hold_lock(out, {"pid": 999999, "command": "batch", "token": token}).close()
    os.replace(out / "D01", out / f".old-{token}-D01")
    code, _, _ = _run_cli(capsys, "batch", small_data, "--out", out, "--districts", "D01,D02",
                          "--resume", "--workers", "1")
    assert code == 0
    assert {e["status"] for e in _manifest(out)["districts"].values()} == {"skipped"}
    _assert_clean(out)


# ----------------------------------------------------------------------- command-line values

BAD_ARGUMENTS = {
    "timeout-negative": (["--timeout", "-5"], "must be a positive number of seconds"),
    "timeout-zero": (["--timeout", "0"], "must be a positive number of seconds"),
    "timeout-nan": (["--timeout", "nan"], "must be a positive number of seconds"),
    "timeout-inf": (["--timeout", "inf"], "must be a positive number of seconds"),
    "timeout-huge": (["--timeout", "1e400"], "must be a positive number of seconds"),
    "timeout-text": (["--timeout", "soon"], "expected a number of seconds"),
    "timeout-overflow": (["--timeout", "99999999999"], "at most 604800 seconds"),
    "timeout-minus-inf": (["--timeout=-inf"], "must be a positive number of seconds"),
    "workers-zero": (["--workers", "0"], "must be at least 1, got 0"),
    "workers-negative": (["--workers", "-3"], "must be at least 1, got -3"),
    "workers-fraction": (["--workers", "2.5"], "expected a whole number"),
    "workers-text": (["--workers", "many"], "expected a whole number"),
    "districts-commas": (["--districts", ",,,"], "no district ids given"),
    "districts-blank": (["--districts", " , "], "no district ids given"),
    "districts-empty": (["--districts="], "no district ids given"),
    "scheduler-not-a-url": (["--scheduler", "notaurl"], "expected a Dask scheduler address"),
    "scheduler-http": (["--scheduler", "http://x:1"], "expected a Dask scheduler address"),
    "scheduler-no-host": (["--scheduler", "tcp://"], "expected a Dask scheduler address"),
    "scheduler-no-port": (["--scheduler", "tcp://host"], "expected a Dask scheduler address"),
}


@pytest.mark.parametrize("extra, phrase", BAD_ARGUMENTS.values(), ids=BAD_ARGUMENTS.keys())
def test_bad_batch_argument_is_a_usage_error(extra, phrase, small_data, root, capsys):
    code, _, stderr = _run_cli(capsys, "batch", small_data, "--out", root / "out", *extra)
    assert code == 2 and phrase in stderr
    assert not (root / "out").exists()


@pytest.mark.parametrize("args, phrase", [
    (["audit", "{data}", "--district", "D01", "--out", "{out}", "--school-year", "99999"],
     "must be from 1900 to 2200"),
    (["audit", "{data}", "--district", "D01", "--out", "{out}", "--school-year", "last"],
     "expected a whole number"),
    (["explore", "--port", "0"], "must be from 1 to 65535"),
    (["demo", "--workers", "0", "--out", "{out}"], "must be at least 1"),
], ids=["year-huge", "year-text", "port-zero", "demo-workers-zero"])
def test_bad_number_elsewhere_is_a_usage_error(args, phrase, small_data, root, capsys):
    args = [a.format(data=small_data, out=root / "out") for a in args]
    code, _, stderr = _run_cli(capsys, *args)
    assert code == 2 and phrase in stderr
    assert not (root / "out").exists()


def test_named_district_not_in_the_data(small_data, root, capsys):
    code, _, stderr = _run_cli(capsys, "batch", small_data, "--out", root / "out",
                               "--districts", "D01,D99")
    assert code == 2
    assert "unknown district(s) D99" in stderr and "the districts there are: BOOM, D01, D02" \
        in stderr
    assert not (root / "out").exists()


def test_data_folder_missing(root, capsys):
    code, _, stderr = _run_cli(capsys, "batch", root / "nowhere", "--out", root / "out")
    assert code == 1 and "nowhere: data folder not found" in stderr
    assert not (root / "out").exists()


def test_unreachable_scheduler(small_data, root, capsys, monkeypatch):
    monkeypatch.setattr(_pools, "CONNECT_TIMEOUT", 2)
    code, _, stderr = _run_cli(capsys, "batch", small_data, "--out", root / "out",
                               "--scheduler", "tcp://127.0.0.1:1")
    assert code == 2 and "cannot reach the Dask scheduler at tcp://127.0.0.1:1" in stderr
    _assert_clean(root / "out")


# ---------------------------------------------------------------------------- resume states

def _damage_truncate(folder: Path) -> None:
    data = (folder / "metrics.csv").read_bytes()
    (folder / "metrics.csv").write_bytes(data[: len(data) // 2 + 3])


def _damage_stamp(**changes):
    def damage(folder: Path) -> None:
        stamp = json.loads((folder / ".equitykit-stamp.json").read_text())
        stamp["result"].update(changes)
        (folder / ".equitykit-stamp.json").write_text(json.dumps(stamp))
    return damage


DAMAGE = {
    "metrics-truncated": (_damage_truncate, "ok"),
    "metrics-empty": (lambda f: (f / "metrics.csv").write_bytes(b""), "ok"),
    "html-edited": (lambda f: (f / "audit.html").write_text("<p>edited</p>"), "ok"),
    "findings-missing": (lambda f: (f / "findings.json").unlink(), "ok"),
    # without a readable stamp the folder cannot be told from a user's: left alone, and said so
    "stamp-missing": (lambda f: (f / ".equitykit-stamp.json").unlink(), "failed"),
    "stamp-not-json": (lambda f: (f / ".equitykit-stamp.json").write_text("{"), "failed"),
    "stamp-a-list": (lambda f: (f / ".equitykit-stamp.json").write_text("[1]"), "failed"),
    "stamp-unknown-field": (_damage_stamp(surprise=1), "skipped"),
    "stamp-bad-checksums": (_damage_stamp(output_sha256="abc"), "ok"),
    "stamp-other-district": (_damage_stamp(district_id="D02"), "ok"),
    "stamp-outputs-outside": (_damage_stamp(outputs={"metrics": "../../victim/keep.txt"}),
                              "skipped"),
    "folder-removed": (lambda f: shutil.rmtree(f), "ok"),
    "untouched": (lambda f: None, "skipped"),
}


@pytest.fixture(scope="module")
def finished_batch(small_data, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("finished") / "out"
    assert cli.main(["batch", str(small_data), "--out", str(out), "--districts", "D01,D02",
                     "--workers", "1"]) == 0
    return out


@pytest.mark.parametrize("damage, status", DAMAGE.values(), ids=DAMAGE.keys())
def test_resume_checks_what_is_on_disk(damage, status, finished_batch, small_data, root,
                                      capsys):
    out = root / "out"
    shutil.copytree(finished_batch, out, symlinks=True)
    damage(out / "D01")
    code, stdout, _ = _run_cli(capsys, "batch", small_data, "--out", out,
                               "--districts", "D01,D02", "--resume", "--workers", "1")
    districts = _manifest(out)["districts"]
    assert (districts["D01"]["status"], districts["D02"]["status"]) == (status, "skipped")
    if status == "failed":
        assert code == 3 and "not complete: D01" in stdout
        assert "holds files equitykit did not write" in districts["D01"]["error"]["message"]
        assert (out / "D01" / "audit.html").read_bytes() == (
            finished_batch / "D01" / "audit.html").read_bytes()
    else:
        assert code == 0 and "2 of 2 districts complete" in stdout
    complete = [d for d in ("D01", "D02") if districts[d]["status"] != "failed"]
    lines = (out / "metrics.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in lines] == ["district_id", *complete]
    assert len({line.count(",") for line in lines}) == 1  # no ragged row
    assert "the user's file" not in (out / "metrics.csv").read_text()
    _assert_clean(out)


# ------------------------------------------------------- signals and concurrent runs (slow)

#: ``python -c RUNNER NOTEBOOK ARGS…``: the equitykit command with the fast notebook.
RUNNER = ("import sys; from pathlib import Path; from equitykit.execute import _batch, _run; "
          "nb = Path(sys.argv[1]); _run.default_notebook = lambda: nb;"
          " from equitykit.cli import main; sys.exit(main(sys.argv[2:]))")
FOUR = ("D01", "D02", "D03", "D04")


@pytest.fixture(scope="module")
def four_data(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("four")
    write_students(folder, districts=FOUR)
    return folder


def _start(notebook: Path, *args, sleep: float) -> subprocess.Popen:
    env = {**os.environ, "EQUITYKIT_TEST_SLEEP": str(sleep)}
    return subprocess.Popen([sys.executable, "-c", RUNNER, str(notebook), *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)


def _wait_for(condition, what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def _children(pid: int) -> list[int]:
    listing = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                             text=True).stdout
    return [int(p) for p in listing.split()]


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _finish(process: subprocess.Popen) -> tuple[int, str, str]:
    try:
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert "Traceback" not in stdout + stderr, stdout + stderr
    return process.returncode, stdout, stderr


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stopped_batch_stops_its_workers_and_resumes(signum, four_data, notebook, root,
                                                       capsys):
    out = root / "out"
    batch = _start(notebook, "batch", four_data, "--out", out, "--workers", "2", sleep=2)
    _wait_for(lambda: any((out / d / ".equitykit-stamp.json").exists() for d in FOUR),
              "no district finished")
    workers = _children(batch.pid)
    assert workers
    batch.send_signal(signum)
    code, stdout, stderr = _finish(batch)
    name = signal.Signals(signum).name
    assert code == 128 + signum
    assert f"stopped by {name}" in stderr and "--resume" in stderr
    assert "not finished (stopped)" in stdout
    _wait_for(lambda: all(map(_gone, workers)), "a worker outlived the batch", 10)
    with pytest.raises(ProcessLookupError):
        os.killpg(batch.pid, 0)  # nothing of the batch is left running
    manifest = _manifest(out)
    assert manifest["stopped_by"] == name and manifest["exit_code"] == 128 + signum
    statuses = {d: e["status"] for d, e in manifest["districts"].items()}
    assert set(statuses.values()) <= {"ok", "stopped"} and "stopped" in statuses.values()
    finished = [d for d, s in statuses.items() if s == "ok"]
    for district in FOUR:  # complete with its stamp, or absent
        assert (out / district / ".equitykit-stamp.json").exists() == (district in finished)
    _assert_clean(out)
    kept = {d: (out / d / "audit.html").read_bytes() for d in finished}

    code, stdout, _ = _run_cli(capsys, "batch", four_data, "--out", out, "--resume",
                               "--workers", "2")
    assert code == 0 and "4 of 4 districts complete" in stdout
    resumed = _manifest(out)["districts"]
    assert {d for d, e in resumed.items() if e["status"] == "skipped"} == set(finished)
    assert {d: (out / d / "audit.html").read_bytes() for d in finished} == kept
    _assert_clean(out)


@pytest.mark.slow
def test_a_stopped_audit_leaves_nothing(small_data, notebook, root):
    out = root / "out"
    audit = _start(notebook, "audit", small_data, "--district", "D01", "--out", out, sleep=60)
    _wait_for(lambda: out.is_dir() and any(p.name.startswith(".tmp-") for p in out.iterdir()),
              "the audit did not start")
    audit.send_signal(signal.SIGTERM)
    code, _, stderr = _finish(audit)
    assert code == 143 and "stopped by SIGTERM" in stderr
    assert list(out.iterdir()) == []


@pytest.mark.slow
def test_a_killed_batch_then_resume_completes(four_data, notebook, root, capsys):
    out = root / "out"
    batch = _start(notebook, "batch", four_data, "--out", out, "--workers", "2", sleep=2)
    _wait_for(lambda: (out / "D01" / ".equitykit-stamp.json").exists(), "D01 did not finish")
    os.killpg(batch.pid, signal.SIGKILL)
    batch.communicate()
    wait_unlocked(out)
    assert (out / "D01" / "audit.html").is_file() and not (out / "manifest.json").exists()
    code, stdout, _ = _run_cli(capsys, "batch", four_data, "--out", out, "--resume",
                               "--workers", "2")
    assert code == 0 and "4 of 4 districts complete" in stdout
    assert _manifest(out)["districts"]["D01"]["status"] == "skipped"
    _assert_clean(out)


@pytest.mark.slow
def test_two_batches_into_one_out(four_data, notebook, root):
    out = root / "out"
    first = _start(notebook, "batch", four_data, "--out", out, "--workers", "1", sleep=1)
    _wait_for(lambda: (out / LOCK).exists(), "the first batch did not take the lock")
    second = _start(notebook, "batch", four_data, "--out", out, "--workers", "1", sleep=0)
    code, _, stderr = _finish(second)
    assert code == 2 and "another equitykit run (equitykit batch, process" in stderr
    code, stdout, _ = _finish(first)
    assert code == 0 and "4 of 4 districts complete" in stdout
    assert {e["status"] for e in _manifest(out)["districts"].values()} == {"ok"}
    _assert_clean(out)


@pytest.mark.slow
def test_a_dask_scheduler_without_workers_fails_the_districts(small_data, root, capsys,
                                                              monkeypatch):
    pytest.importorskip("distributed")
    info = root / "scheduler.json"
    dask = str(Path(sys.executable).with_name("dask"))
    scheduler = subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", "0",
                                  "--no-dashboard", "--scheduler-file", str(info)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 start_new_session=True)
    try:
        _wait_for(info.exists, "the scheduler did not start", 60)
        address = json.loads(info.read_text())["address"]
        monkeypatch.setattr(_batch, "WORKER_WAIT", 3)
        code, stdout, _ = _run_cli(capsys, "batch", small_data, "--out", root / "out",
                                   "--scheduler", address, "--districts", "D01,D02")
    finally:
        os.killpg(scheduler.pid, signal.SIGKILL)
        scheduler.wait()
    assert code == 3 and "not complete: D01, D02" in stdout
    for entry in _manifest(root / "out")["districts"].values():
        assert entry["status"] == "failed"
        assert "no worker was running for 3 s" in entry["error"]["message"]
    _assert_clean(root / "out")


def test_a_lock_file_planted_as_a_link_is_not_followed(small_data, root, capsys):
    out = root / "out"
    out.mkdir()
    (out / LOCK).symlink_to(root / "victim" / "keep.txt")
    code, _, stderr = _run_cli(capsys, "audit", small_data, "--district", "D01", "--out", out)
    assert code == 2 and "cannot lock the output folder with" in stderr \
        and "it is a link; remove that file" in stderr
    assert (root / "victim" / "keep.txt").read_text() == "the user's file"


def test_out_that_is_a_symlink_loop_is_a_usage_error(repo_root, tmp_path, capsys):
    from equitykit.cli import main

    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    code = main(["batch", str(repo_root / "data_samples"), "--out", str(tmp_path / "a")])
    printed = capsys.readouterr()
    assert code == 2
    assert "leads back to itself" in printed.err
    assert "Traceback" not in printed.out + printed.err


def test_out_that_is_a_dangling_link_is_a_usage_error(repo_root, tmp_path, capsys):
    from equitykit.cli import main

    (tmp_path / "out").symlink_to(tmp_path / "elsewhere" / "missing")
    code = main(["batch", str(repo_root / "data_samples"), "--out", str(tmp_path / "out")])
    printed = capsys.readouterr()
    assert code == 2
    assert "link to a folder that does not exist" in printed.err
    assert not (tmp_path / "elsewhere").exists()
