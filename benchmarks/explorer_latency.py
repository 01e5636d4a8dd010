"""Interaction latency of the training explorer on the largest sample district.

Opens the explorer on the shipped sample data (or DATA), picks the district with the most
students per year (opening it runs its audit: compute and privacy gate), then drives ~30
interactions (outcome, dimension, focus group, comparison, school,
year) and prints the median and maximum seconds per interaction. Each interaction is timed
from setting the control's value to the redrawn chart, sentence and table (observers run
synchronously). Target: < 0.5 s.

    python benchmarks/explorer_latency.py [DATA]
"""

from __future__ import annotations

import statistics
import sys
import time

from equitykit.intake import load_district_data
from equitykit.samples import sample_data_dir
from equitykit.widgets import ALL_OTHER, DistrictSource, Explorer


def _largest(data_dir) -> str:
    students = load_district_data(data_dir).students
    sizes = students.groupby(["district_id", "school_year"], observed=True).size()
    return str(sizes.groupby(level=0, observed=True).max().idxmax())


def main(data_dir=None) -> None:
    data_dir = data_dir or sample_data_dir()
    district = _largest(data_dir)
    start = time.perf_counter()
    source = DistrictSource.from_data_dir(data_dir)
    explorer = Explorer(source)
    explorer.district.value = district
    opened = time.perf_counter() - start
    cache = source[district]
    print(f"district {district}: {len(cache.published):,} published rows, "
          f"{len(cache.schools)} schools; explorer and district opened in {opened:.1f} s")

    latencies: list[float] = []

    def step(control, value) -> None:
        if value is None or control.value == value:
            return
        t0 = time.perf_counter()
        control.value = value
        latencies.append(time.perf_counter() - t0)
        if "-v" in sys.argv:
            print(f"  {control.description} = {value!r}: {latencies[-1]:.3f} s")

    outcomes = [v for _, v in explorer.outcome.options]
    schools = [v for _, v in explorer.school.options]
    plan = [
        (explorer.outcome, "oss"), (explorer.dimension, "race_ethnicity"),
        (explorer.focus, "Black"), (explorer.focus, "Hispanic/Latino"),
        (explorer.comparison, "White"), (explorer.comparison, ALL_OTHER),
        (explorer.dimension, "race_ethnicity×sex"), (explorer.focus, "Black×F"),
        (explorer.focus, "Black×M"), (explorer.school, schools[1]), (explorer.school, schools[2]),
        (explorer.school, ""), (explorer.outcome, "gifted"), (explorer.outcome, "math_score"),
        (explorer.dimension, "econ_disadvantaged"), (explorer.focus, "true"),
        (explorer.school, schools[3]), (explorer.school, ""), (explorer.outcome, "chronic_absent"),
        (explorer.dimension, "sex"), (explorer.focus, "M"), (explorer.comparison, "F"),
        (explorer.outcome, "iss"), (explorer.dimension, "disability"),
        (explorer.focus, "true"), (explorer.outcome, outcomes[-1]),
        (explorer.school_year, explorer.school_year.options[-1][1]),
        (explorer.outcome, "oss"), (explorer.dimension, "race_ethnicity"),
        (explorer.focus, "White"), (explorer.school_year, explorer.school_year.options[0][1]),
    ]
    for control, value in plan:
        step(control, value)
    print(f"{len(latencies)} interactions: median {statistics.median(latencies):.3f} s, "
          f"max {max(latencies):.3f} s")

    explorer.tabs.selected_index = 1  # second tab: predictiveness and gap split
    second: list[float] = []
    for control, value in plan[:10]:
        if control.value != value:
            t0 = time.perf_counter()
            control.value = value
            second.append(time.perf_counter() - t0)
    print(f"second tab, {len(second)} interactions: median {statistics.median(second):.3f} s, "
          f"max {max(second):.3f} s")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "-v"]
    main(args[0] if args else None)
