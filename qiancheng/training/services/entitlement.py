"""What a person is still entitled to (3.5), asked of the engine that predicts at enrolment.

The enrolment's prediction (`enrolment.predicted_refusals`) decides the claim a class would become against the
stored history; with no class to enrol in, the lifelong record (1e) asks the same engine about *probes*: would-be
claims ending today, decided against the same history (`history.stored_history` plus the unclaimed enrolments,
as at enrolment), of which only the history checks are read (the trace's `h_refs_*`):

- 3.5a (one a year) and 3.5b (three in all) concern any training: one creation-training probe asks both; the
  trace lists the counting claims, so "left in the programme" is `MAX_COUNTED_TRAININGS` minus their number.
- 3.5c (the same occupation and level, or the same item, once, skill-upgrade subsidies included): one probe for
  each occupation-level and item the person's history names; the engine says which are used.
- 3.5d (no lower level of an occupation once a higher certificate is held): one probe for each level below a
  certificate the history holds; the engine says which are closed.

The probes carry the person key where a claim carries the ID number, as the stored history does: the engine's
"same person" is the same text on both sides, and no ID number is opened for a count. A probe is never a claim:
its own decision (it fails `data.id`) is not read, and the rules stay the engine's alone (docs/lifelong-record.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.clock import today
from qiancheng.policy.batch import claims_from_records, history_from_records
from qiancheng.policy.engine import decide
from qiancheng.policy.params import load_packaged
from qiancheng.policy.rules import MAX_COUNTED_TRAININGS
from qiancheng.policy.vocabulary import COURSE_KINDS
from qiancheng.training.services.enrolment import unclaimed_enrolments
from qiancheng.training.services.history import stored_history

LOWEST_LEVEL = 5  # levels run 1 (highest) to 5 (RULES.md: "Higher" means a smaller number)


@dataclass(frozen=True)
class Entitlement:
    """A person's remaining subsidised trainings and the occupation-levels and items already used (3.5a-d)."""

    on: date
    counted: int  # counting trainings so far (claims pending, approved or paid, and unclaimed enrolments)
    used_this_year: bool  # 3.5a
    used_levels: tuple[tuple[str, int], ...]  # 3.5c: (occupation code, level)
    used_items: tuple[str, ...]  # 3.5c: special-ability item codes
    closed_levels: tuple[tuple[str, int], ...]  # 3.5d: lower levels of an occupation a held certificate closes

    @property
    def left_in_programme(self) -> int:
        """3.5b: 累计不超过3次."""
        return max(MAX_COUNTED_TRAININGS - self.counted, 0)

    @property
    def left_this_year(self) -> int:
        """3.5a: 每年不超过1次, and never more than 3.5b leaves."""
        return 0 if self.used_this_year else min(1, self.left_in_programme)


def _probe(number: int, key: str, county: str, on: date, training_type: str, **facts: Any) -> dict[str, Any]:
    return {
        "claim_id": f"probe-{number:04d}", "id_number": key, "training_type": training_type,
        "fund": "employment_subsidy", "city_code": county, "occupation_code": None, "level": None,
        "item_code": None, "course_kind": None, "project_id": None, "applicant_relation": None,
        "class_hours": 80, "start_date": on.isoformat(), "end_date": on.isoformat(), "passed": True,
        "person_category": "other", "receiving_unemployment_benefit": False, "has_business_licence": False,
        "institution_id": "probe", "advanced_by": "institution", "advanced_by_id": "probe",
        "claimant": "institution", "claimant_id": "probe", **facts,
    }


def remaining_entitlement(person_key: str, county_code: str, on: date | None = None) -> Entitlement:
    """The engine's answer, for one person on a day (default: the programme's today), to "what is left?"."""
    on = on or today()
    history = stored_history({person_key}, set()) + unclaimed_enrolments(None, {person_key})
    history = [record for record in history if record.get("record_type") != "blacklist"]
    levels = sorted({(r["occupation_code"], int(r["level"])) for r in history
                     if r.get("occupation_code") and r.get("level") and r.get("record_type") in ("claim", "skill_upgrade")
                     and r.get("training_type", TrainingType.OCCUPATIONAL) == TrainingType.OCCUPATIONAL})
    items = sorted({r["item_code"] for r in history if r.get("record_type") == "claim" and r.get("item_code")
                    and r.get("training_type") == TrainingType.SPECIAL_ABILITY})
    below = sorted({(r["occupation_code"], level) for r in history if r.get("record_type") == "certificate"
                    and r.get("occupation_code") and r.get("level")
                    for level in range(int(r["level"]) + 1, LOWEST_LEVEL + 1)})
    probes = [_probe(0, person_key, county_code, on, TrainingType.ENTREPRENEURSHIP, course_kind=COURSE_KINDS[1])]
    asked: list[tuple[str, Any]] = [("any", None)]
    for occupation, level in sorted(set(levels) | set(below)):
        probes.append(_probe(len(probes), person_key, county_code, on, TrainingType.OCCUPATIONAL,
                             occupation_code=occupation, level=level))
        asked.append(("level", (occupation, level)))
    for item in items:
        probes.append(_probe(len(probes), person_key, county_code, on, TrainingType.SPECIAL_ABILITY, item_code=item))
        asked.append(("item", item))
    run = decide(claims_from_records(probes, "probes"), history_from_records(history, "history"), load_packaged(),
                 on, trace=True)
    flags = {row["claim_id"]: row for row in run.decisions.to_dicts()}

    def tripped(number: int, rule: str) -> bool:
        return bool(flags[f"probe-{number:04d}"].get(f"h_refs_{rule}"))

    used_levels = tuple(what for number, (kind, what) in enumerate(asked) if kind == "level" and tripped(number, "3.5c"))
    closed = tuple(what for number, (kind, what) in enumerate(asked) if kind == "level" and tripped(number, "3.5d"))
    used_items = tuple(what for number, (kind, what) in enumerate(asked) if kind == "item" and tripped(number, "3.5c"))
    counted = len(flags["probe-0000"].get("h_refs_3.5b") or [])
    return Entitlement(on, counted, tripped(0, "3.5a"), used_levels, used_items, closed)
