"""Rule 7f: a group's size that is another outcome's count is withheld with it.

The outcomes "given a referral" are counted over the students referred, so their group sizes
are the ``referred`` counts; the students identified for special education among a group are
its students with a disability. Publishing one side of such a pair would give the other away.
"""

from __future__ import annotations

import pandas as pd

from equitykit.privacy import publish


def _rows(outcome, groups, dimension="sex"):
    rows = []
    for group, (n, x) in groups.items():
        rows.append({"district_id": "D1", "school_year": 2023, "school_id": "",
                     "outcome": outcome, "measure": "rate", "comparison": "",
                     "dimension": "all" if group == "all" else dimension, "group": group,
                     "n": float(n), "numerator": float(x), "value": x / n,
                     "ci_low": float("nan"), "ci_high": float("nan")})
    return rows


def _shown(table, outcome, column):
    rows = table[(table["outcome"] == outcome) & ~table["suppressed"]]
    return dict(zip(rows["group"], rows[column], strict=True))


def test_a_withheld_referral_count_takes_the_size_of_its_referred_population_along():
    # Alone, each table would withhold a different partner for the small X group: the
    # referral counts M (the smaller group of students), the removals F (fewer referred).
    referred = {"all": (320, 90), "F": (160, 40), "M": (150, 44), "X": (10, 6)}
    removed = {"all": (90, 30), "F": (40, 14), "M": (44, 13), "X": (6, 3)}
    table = publish(pd.DataFrame(_rows("referred", referred)
                                 + _rows("exclusionary_given_referral", removed))).table
    counts = _shown(table, "referred", "numerator")
    sizes = _shown(table, "exclusionary_given_referral", "n")
    assert "X" not in counts and "X" not in sizes
    assert set(counts) == set(sizes)
    assert all(counts[g] == sizes[g] for g in counts)


def test_identified_among_a_group_is_withheld_with_the_size_of_its_students_with_disabilities():
    dims = "race_ethnicity×disability"
    race = {"all": (505, 61), "Black": (200, 20), "White": (300, 40), "Asian": (5, 1)}
    crossed = {"Black×true": (20, 2), "Black×false": (180, 18), "White×true": (40, 4),
               "White×false": (260, 36), "Asian×true": (1, 0), "Asian×false": (4, 1)}
    enrolled = _rows("oss", {g: (n, 6 if g == "all" else min(x, 2)) for g, (n, x) in
                             race.items()}, "race_ethnicity")
    enrolled += _rows("oss", crossed, dims)
    identified = _rows("disability", race, "race_ethnicity")
    identified += _rows("disability", {g: (n, n if g.endswith("true") else 0)
                                       for g, (n, _) in crossed.items()}, dims)
    frame = pd.DataFrame(enrolled + identified)
    table = publish(frame).table
    counts = _shown(table[table["dimension"] == "race_ethnicity"], "disability", "numerator")
    shown = table[(table["dimension"] == dims) & ~table["suppressed"]]
    sizes = set(shown["group"])  # published in some outcome's rows
    assert "Asian" not in counts
    for group in ("Black", "White"):
        assert (group in counts) == (f"{group}×true" in sizes)
