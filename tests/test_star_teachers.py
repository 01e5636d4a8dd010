"""Teacher experience exposure on Tennessee STAR kindergarten classrooms (real data).

STAR links each student to a kindergarten teacher; at classroom level the student-weighted
exposure of :func:`teacher_experience_exposure` must equal the plain mean of the teacher's
experience over the group's students.
"""

from __future__ import annotations

import pandas as pd
import pytest

from equitykit.metrics import teacher_experience_exposure

pytestmark = pytest.mark.real_data

# STAR has no classroom id; the school, class type and teacher attributes identify it.
CLASSROOM = ["schoolidk", "stark", "experiencek", "tethnicityk", "degreek", "ladderk"]


@pytest.fixture(scope="module")
def kindergarten(real_data) -> pd.DataFrame:
    star = pd.read_csv(real_data / "tennessee_star" / "STAR.csv")
    kids = star.loc[star["stark"].notna() & star["ethnicity"].notna()].copy()
    kids["classroom"] = "k" + kids.groupby(CLASSROOM, dropna=False).ngroup().astype(str)
    return kids


def test_black_and_white_kindergartners_teacher_experience(kindergarten):
    enrollment = (kindergarten.groupby(["classroom", "ethnicity"]).size()
                  .rename("students").reset_index()
                  .rename(columns={"classroom": "school_id", "ethnicity": "group"}))
    staff = (kindergarten.groupby("classroom", as_index=False)["experiencek"].first()
             .rename(columns={"classroom": "school_id", "experiencek": "years_experience"}))
    out = teacher_experience_exposure(enrollment, staff, comparison="cauc").set_index("group")
    direct = kindergarten.groupby("ethnicity")["experiencek"].mean()
    black = out.loc["afam", "mean_teacher_experience"]
    white = out.loc["afam", "comparison_experience"]
    print(f"\nSTAR kindergarten mean teacher experience: Black {black:.4f} years, "
          f"White {white:.4f} years, gap {black - white:.4f}")
    assert black == pytest.approx(direct["afam"], abs=1e-9)
    assert white == pytest.approx(direct["cauc"], abs=1e-9)
    assert out.loc["afam", "gap"] == pytest.approx(direct["afam"] - direct["cauc"], abs=1e-9)
    known = kindergarten["experiencek"].notna().groupby(kindergarten["ethnicity"]).mean()
    everyone = teacher_experience_exposure(enrollment, staff).set_index("group")
    assert everyone["share_covered"].to_dict() == pytest.approx(known.to_dict(), abs=1e-12)
    assert known["cauc"] < 1  # 21 White kindergartners have no teacher experience recorded
