"""One district's audit in steps: compute, publish (the privacy gate), rank, write.

The notebook ``notebooks/district_audit.ipynb`` runs the steps one cell each::

    audit = DistrictAudit.compute(data_dir="data_samples", district_id="D01", config=config)
    published = audit.publish()
    findings = audit.rank(FindingRules(q_threshold=config.q_threshold))

and then shows each section with the views of :mod:`equitykit.report`; :meth:`DistrictAudit.run`
does the steps at once for a script. Everything shown or written comes from
:attr:`DistrictAudit.published`, the suppressed metrics table, so the report cannot show a
number that ``metrics.csv`` hides.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from IPython.display import HTML

from .. import privacy
from .._spreadsheet import to_safe_csv
from .._versions import versions
from .._words import SECTION_TITLES
from ..config import SECTIONS, AuditConfig, load_config
from ..errors import DataError, PrivacyError
from ..intake import load_district_data
from ..report import _sections
from ._climate import withhold_sensitive
from ._compute import (
    PARTIAL_TOTAL,
    audited_year,
    compute_metrics,
    shrunk_school_rates,
    withhold_orphan_interactions,
)
from ._findings import FindingRules, rank_findings

__all__ = ["DistrictAudit"]

@dataclass
class DistrictAudit:
    """The audit of one district for one school year (all years kept for trends).

    Made by :meth:`compute`; :meth:`publish` passes the metrics through the privacy gate into
    :attr:`published`, the only table anything is shown or written from; :meth:`rank` ranks
    the findings.
    """

    district_id: str
    school_year: int
    config: AuditConfig
    data: object
    parameters: dict
    #: The suppressed metrics table (``metrics.csv``), once :meth:`publish` ran.
    published: pd.DataFrame | None = None
    findings: list[dict] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: Information loss of the publishing gate (rows withheld by reason), for the methods
    #: section and ``privacy.json``.
    privacy_loss: dict = field(default_factory=dict)
    #: Whether the audit computes each school's rates by group (school reports).
    by_school: bool = False
    _computed: pd.DataFrame | None = field(default=None, repr=False)

    @classmethod
    def compute(
        cls,
        *,
        data_dir: str | os.PathLike,
        district_id: str,
        config: AuditConfig | None = None,
        config_path: str | os.PathLike | None = None,
        school_year: int | None = None,
        by_school: bool | None = None,
    ) -> DistrictAudit:
        """Load and validate the district's data and compute every metric, unpublished.

        ``config`` is the client config (default: read from ``config_path``, else the
        defaults). ``by_school`` adds each school's rates by group and its shrunken rates
        (school reports; default: the config's ``report.by_school``). Nothing can be shown
        before :meth:`publish`.
        """
        started = time.perf_counter()
        config = config if config is not None else load_config(config_path)
        data = _load(data_dir, config, str(district_id))
        loaded = time.perf_counter()
        audit = cls.from_data(data, district_id=district_id, config=config,
                              school_year=school_year, by_school=by_school)
        audit.parameters.update(data_dir=str(data_dir),
                                config_path=str(config_path) if config_path else None)
        audit.timings = {"load": loaded - started, **audit.timings}
        return audit

    @classmethod
    def from_data(
        cls,
        data: object,
        *,
        district_id: str,
        config: AuditConfig,
        school_year: int | None = None,
        by_school: bool | None = None,
    ) -> DistrictAudit:
        """Compute every metric of one district's tables already loaded (an
        :class:`equitykit.intake.DistrictData` of that district), unpublished; as
        :meth:`compute`, which reads them from a data folder."""
        started = time.perf_counter()
        by_school = config.report.by_school if by_school is None else bool(by_school)
        raw, counts = compute_metrics(data, config, school_year, by_school=by_school)
        notes = []
        if "note" in counts and counts["note"].eq(PARTIAL_TOTAL).any():
            notes.append("The files report only some racial/ethnic groups and no all-student "
                         "total: \"all other students\" means the other groups the files "
                         "report, and groups of other dimensions (such as students with "
                         "disabilities) are left out, since they need the true total.")
        year = audited_year(counts["school_year"], school_year)
        return cls(
            district_id=str(district_id),
            school_year=year,
            config=config,
            data=data,
            parameters={"data_dir": None, "district_id": str(district_id),
                        "config_path": None, "school_year": year},
            timings={"compute": time.perf_counter() - started},
            notes=notes,
            by_school=by_school,
            _computed=raw[raw["school_year"] <= year],
        )

    def publish(self) -> pd.DataFrame:
        """Pass the metrics through the privacy gate (the config's ``privacy`` rules) and
        return :attr:`published`, the table every view, section and output reads."""
        started = time.perf_counter()
        privacy_rules = self.config.privacy
        gate = privacy.publish(
            withhold_sensitive(self._computed, privacy_rules.sensitive_min_n,
                               privacy_rules.min_n),
            min_n=privacy_rules.min_n,
            top_bottom_coding=privacy_rules.top_bottom_coding,
            protection_width=self.protection_width,
        )
        published = withhold_orphan_interactions(gate.table)
        if self.by_school and gate.loss["unprotected_counts"]:
            raise PrivacyError(
                f"district {self.district_id}: the school reports cannot be protected: "
                f"{gate.loss['unprotected_counts']} withheld counts of the district and school "
                "tables taken together could be narrowed below the privacy protection width. "
                "Nothing was written; run the audit without --by-school (report.by_school).")
        if self.by_school:  # derived from published numbers only (shrunk_school_rates)
            published = pd.concat([published, shrunk_school_rates(published, self.school_year)],
                                  ignore_index=True)
        self.published = published.reset_index(drop=True)
        self.privacy_loss = gate.loss
        self.timings["publish"] = time.perf_counter() - started
        return self.published

    def rank(self, rules: FindingRules | None = None) -> list[dict]:
        """Rank the findings of the audited year from :attr:`published` (the ``findings.json``
        records); ``rules`` default to the config's ``q_threshold`` and the standard sizes."""
        if self.published is None:
            raise RuntimeError("publish() the audit before ranking its findings")
        started = time.perf_counter()
        rules = rules if rules is not None else FindingRules(q_threshold=self.config.q_threshold)
        self.findings = rank_findings(self.published, school_year=self.school_year, rules=rules)
        self.timings["rank"] = time.perf_counter() - started
        return self.findings

    @classmethod
    def run(
        cls,
        *,
        data_dir: str | os.PathLike,
        district_id: str,
        config_path: str | os.PathLike | None = None,
        school_year: int | None = None,
        output_dir: str | os.PathLike | None = None,
    ) -> DistrictAudit:
        """Compute, publish and rank at once; write ``metrics.csv``, ``findings.json`` and
        ``privacy.json`` into ``output_dir`` when given."""
        audit = cls.compute(data_dir=data_dir, district_id=district_id,
                            config_path=config_path, school_year=school_year)
        audit.publish()
        audit.rank()
        if output_dir is not None:
            audit.write_outputs(output_dir)
        return audit

    # --- outputs ----------------------------------------------------------------------------------

    def write_outputs(self, output_dir: str | os.PathLike) -> None:
        """Write ``metrics.csv``, ``findings.json`` and ``privacy.json`` (the information loss)
        atomically into ``output_dir``, and with :attr:`by_school` the school reports
        (``schools/``, :func:`equitykit.report._school.write_school_reports`)."""
        out = Path(output_dir)
        out.mkdir(parents=True, exist_ok=True)
        if self.by_school:
            from ..report._school import write_school_reports

            write_school_reports(self, out)
        _atomic_write(out / "metrics.csv", self.metrics_csv())
        _atomic_write(out / "findings.json", json.dumps(self.findings, indent=2,
                                                        ensure_ascii=False))
        _atomic_write(out / "privacy.json", json.dumps(self.privacy_loss, indent=2))

    def metrics_csv(self) -> str:
        """The published metrics as CSV text (docs/outputs.md columns first); text that a
        spreadsheet would run as a formula is escaped (``'=…``)."""
        frame = self.published.copy()
        for col in ("suppressed", "flagged"):
            frame[col] = frame[col].map({True: "true", False: "false"})
        return to_safe_csv(frame, float_format="%.10g")

    # --- sections ---------------------------------------------------------------------------------

    @property
    def student_level(self) -> bool:
        """True when the audit has student records; False when built from published counts."""
        return getattr(self.data, "students", None) is not None

    @property
    def protection_width(self) -> int:
        """The privacy gate's protection width (rule 7; 0: off). The config's, except that an
        audit built from published counts leaves the rule off unless the config sets it: the
        counts are public already, and a state's published totals, rounded or suppressed, need
        not add up, which leaves the rule's linear programs without a solution."""
        rules = self.config.privacy
        if rules.protection_width is None and not self.student_level:
            return 0
        return rules.width

    @property
    def sections(self) -> tuple[str, ...]:
        """The sections this audit shows, in report order (the focus section only with a
        focus group)."""
        return tuple(s for s in SECTIONS if s in self.config.shown_sections)

    def section(self, name: str) -> HTML:
        """One report section as HTML, heading included (:func:`equitykit.report.section`
        without it); empty when the config leaves it out."""
        if name not in self.config.shown_sections:
            return HTML("")
        body = _sections.section(self, name).data
        return HTML(f'<h2 id="{name}">{SECTION_TITLES[name]}</h2>{body}')

    def provenance(self) -> dict:
        """Toolkit and package versions, input SHA-256, parameters and timings, as the report
        prints them: the data folder and config file by name only (a local path names the
        consultant's machine, not the data; the SHA-256 identifies the data)."""
        shown = {k: Path(v).name if k in ("data_dir", "config_path") and v else v
                 for k, v in self.parameters.items()}
        return {
            "versions": versions(),
            "input_sha256": getattr(self.data, "input_sha256", ""),
            "parameters": shown,
            "timings_seconds": {k: round(v, 3) for k, v in self.timings.items()},
        }


@dataclass(frozen=True)
class AggregateDistrict:
    """A district known only from published counts (public data): no student records."""

    counts: pd.DataFrame
    input_sha256: str
    staff: None = None
    schools: None = None
    survey: None = None


def _load(data_dir: str | os.PathLike, config: AuditConfig, district_id: str):
    """Student-level data through intake, or a counts table when the config is aggregate."""
    if config.aggregate is None:
        return load_district_data(data_dir, config=config, district_id=district_id)
    from ..public_data import load_aggregate

    counts = load_aggregate(data_dir, config)
    counts = counts[counts["district_id"].astype(str) == district_id]
    if counts.empty:
        raise DataError(f"district {district_id!r} is not in the public data at {data_dir}")
    digest = hashlib.sha256(
        pd.util.hash_pandas_object(counts, index=False).to_numpy().tobytes()
    ).hexdigest()
    return AggregateDistrict(counts=counts.reset_index(drop=True), input_sha256=digest)


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
