"""Rule 7f relates every student population's groups to the enrolled students' groups, those
of other populations over enrolled students included.

In D03 with its school reports, retention at school D03-23 counted all its 1,465 enrolled
students, so its groups were the enrolled groups; its 189 students with a disability were
published while the school's 189 students identified for special education were withheld. The
gate compared retention with nothing (it is an outcome over enrolled students, and only the
largest of those, arrests there, stood for the enrolled students), found the identified count
between 189 and 194, and published. The adversary of tests/privacy_attack.py found it exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from equitykit.privacy._suppression import _subsets

KEY = ["district_id", "school_year", "school_id", "outcome", "dimension", "group"]


def _frame(rows):
    sizes = np.array([r[6] for r in rows], dtype=float)
    return pd.DataFrame([r[:6] for r in rows], columns=KEY), sizes


def _pairs(frame, sizes):
    eq, term, coef = _subsets(frame, sizes)
    out = set()
    for e in np.unique(eq):
        part, whole = term[(eq == e) & (coef > 0)], term[(eq == e) & (coef < 0)]
        out.add((frame.loc[int(part[0]), "outcome"], frame.loc[int(whole[0]), "outcome"],
                 frame.loc[int(part[0]), "group"]))
    return out


def _school(retained_total: float) -> list:
    rows = []
    for outcome, swd, other in (("arrested", 189, 1276), ("retained", 189, retained_total - 189),
                                ("math_proficient", 187, 1255)):
        rows += [("D03", 2023, "D03-23", outcome, "all", "all", swd + other),
                 ("D03", 2023, "D03-23", outcome, "disability", "true", swd),
                 ("D03", 2023, "D03-23", outcome, "disability", "false", other)]
    return rows


def test_retention_of_every_enrolled_student_is_within_the_enrolled_groups():
    pairs = _pairs(*_frame(_school(1465)))
    for group in ("all", "true", "false"):
        assert ("retained", "arrested", group) in pairs
        assert ("math_proficient", "arrested", group) in pairs
    assert not any(part == "arrested" for part, _, _ in pairs)


def test_retention_of_fewer_students_is_not_related_to_the_enrolled_groups():
    # The rule book's stated limit: only where retention counts all enrolled students.
    pairs = _pairs(*_frame(_school(1460)))
    assert not any(part == "retained" for part, _, _ in pairs)
    assert ("math_proficient", "arrested", "true") in pairs


def test_no_relation_that_the_true_sizes_break():
    # Rates pooled over years count a student once per year: larger than the enrolled group,
    # so not a subset of it.
    frame, sizes = _frame([("D1", 2023, "", "arrested", "race_ethnicity", "A", 20),
                           ("D1", 2023, "", "graduated_4yr", "race_ethnicity", "A", 30)])
    assert _pairs(frame, sizes) == set()
