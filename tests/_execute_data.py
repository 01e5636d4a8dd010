"""Tiny student tables for the execute/batch tests (three districts, deterministic)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

FIXTURE_NOTEBOOK = Path(__file__).parent / "fixtures" / "tiny_audit.ipynb"
DISTRICTS = ("D1", "D2", "D3")
_RACES = np.array(["Black", "White", "Hispanic/Latino", "Asian"])


def write_students(folder: Path, *, corrupt: str | None = None, seed: int = 7,
                   districts: tuple[str, ...] = DISTRICTS, name: str = "students.csv") -> Path:
    """Write ``folder/students.csv`` with 40 students per district and year (2022, 2023).

    ``corrupt``: a district id whose ``days_absent`` gets a non-numeric value in one row.
    ``name``: the file name; ``students.parquet`` writes Parquet (ids may hold any character).
    """
    rng = np.random.default_rng(seed)
    n = 40
    frames = []
    for district in districts:
        for year in (2022, 2023):
            frames.append(pd.DataFrame({
                "student_id": [f"{district}-{year}-{i}" for i in range(n)],
                "school_year": year,
                "district_id": district,
                "school_id": rng.choice([f"{district}S1", f"{district}S2"], n),
                "grade": rng.choice(["9", "10", "11", "12"], n),
                "race_ethnicity": rng.choice(_RACES, n),
                "sex": rng.choice(["F", "M"], n),
                "econ_disadvantaged": rng.choice(["true", "false"], n),
                "english_learner": rng.choice(["true", "false"], n),
                "disability": rng.choice(["true", "false"], n),
                "days_enrolled": 170,
                "days_absent": rng.integers(0, 40, n).astype(str),
            }))
    students = pd.concat(frames, ignore_index=True)
    if corrupt is not None:
        row = students.index[students["district_id"] == corrupt][3]
        students.loc[row, "days_absent"] = "twelve"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if path.suffix == ".parquet":
        students.to_parquet(path, index=False)
    else:
        students.to_csv(path, index=False)
    return path

PARAMETERS = ('data_dir = "."\ndistrict_id = "D1"\nconfig_path = None\nschool_year = None\n'
              'output_dir = "."')


def write_notebook(path: Path, *sources: str) -> Path:
    """A parameterised notebook: the ``parameters`` cell of the audit, then ``sources``."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell(PARAMETERS)
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [parameters, *(nbformat.v4.new_code_cell(s) for s in sources)]
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                 "display_name": "Python 3"}
    nbformat.write(nb, path)
    return path


def slow_fixture(path: Path, seconds: float) -> Path:
    """The fixture notebook with a last cell that sleeps ``seconds`` (outputs unchanged)."""
    import nbformat

    nb = nbformat.read(FIXTURE_NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(f"import time\ntime.sleep({seconds})"))
    nbformat.write(nb, path)
    return path


def wait_unlocked(out: Path, seconds: float = 30) -> None:
    """Wait until nothing holds ``out``'s lock (a killed batch's workers hold it until gone)."""
    import fcntl
    import time

    from equitykit.execute._lock import LOCK

    deadline = time.monotonic() + seconds
    with (out / LOCK).open("a") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                assert time.monotonic() < deadline, f"{out} is still locked"
                time.sleep(0.05)
            else:
                fcntl.flock(handle, fcntl.LOCK_UN)
                return
