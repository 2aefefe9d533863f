"""Where each column of qiancheng/policy/data/EXCHANGE.md lives in the database.

The decision engine builds its claim frame and history frames from these tables with
`Model.objects.filter(...).values(**{column: F(path)})` (or the equivalent SQL), so the database and an
exchange file describe a claim with the same column names and values.

One difference is deliberate: the database never holds a clear ID number, so the path given for
`id_number` is the person_key (HMAC of the normalised number). It identifies the same person exactly as
the normalised number does (RULES.md reading 1), so joins and counts can run on it. The engine's
`data.id` rule checks GB 11643 on the number itself, so a frame builder opens `Person.id_number_enc`
once per distinct person (crypto.decrypt, purpose people.services.ID_NUMBER) in memory, never writing
the result anywhere, and records the batch read in the audit trail.
funding/tests/test_claim_frame.py builds both frames this way and has the engine decide them.
Institutions are identified by USCC, projects by catalogue code, catalog entries by code.
"""

from __future__ import annotations

from qiancheng.evaluation.models import CertificateKind, CertificateStatus
from qiancheng.funding.models.claims import ClaimStatus

# (a) claims: SubsidyClaim
CLAIM_COLUMNS: dict[str, str] = {
    "claim_id": "number",
    "id_number": "person_id",
    "training_type": "training_type",
    "fund": "fund",
    "city_code": "city_id",
    "occupation_code": "occupation_id",
    "level": "level",
    "item_code": "item_id",
    "course_kind": "course_kind_id",
    "project_id": "project__code",
    "applicant_relation": "applicant_relation",
    "class_hours": "class_hours",
    "start_date": "start_date",
    "end_date": "end_date",
    "passed": "passed",
    "person_category": "person_category",
    "receiving_unemployment_benefit": "receiving_unemployment_benefit",
    "has_business_licence": "has_business_licence",
    "institution_id": "institution__uscc",
    "advanced_by": "advanced_by",
    "advanced_by_id": "advanced_by_ref",
    "claimant": "claimant",
    "claimant_id": "claimant_ref",
    "employment_proof_kind": "employment_proof_kind",
    "employment_proof_date": "employment_proof_date",
}

# (b) history, record_type "claim": SubsidyClaim, drafts left out (they were never claimed).
HISTORY_CLAIM_COLUMNS: dict[str, str] = {
    "record_id": "number",
    "id_number": "person_id",
    "training_type": "training_type",
    "fund": "fund",
    "occupation_code": "occupation_id",
    "level": "level",
    "item_code": "item_id",
    "course_kind": "course_kind_id",
    "project_id": "project__code",
    "end_date": "end_date",
    "status": "status",
}
HISTORY_CLAIM_EXCLUDED_STATUSES = (ClaimStatus.DRAFT,)
# The exchange format knows five statuses. A recovered claim counts for nothing, like a rejected one,
# and the money was judged improper: it travels as "rejected". The others keep their names.
HISTORY_STATUS: dict[str, str] = {
    ClaimStatus.PENDING: "pending",
    ClaimStatus.APPROVED: "approved",
    ClaimStatus.PAID: "paid",
    ClaimStatus.REJECTED: "rejected",
    ClaimStatus.WITHDRAWN: "withdrawn",
    ClaimStatus.RECOVERED: "rejected",
}

# record_type "certificate": evaluation.Certificate of the skill-level kind that stand (3.5d compares
# occupation and level). A revoked certificate was never rightly held, so it is left out.
HISTORY_CERTIFICATE_COLUMNS: dict[str, str] = {
    "record_id": "number",
    "id_number": "person_id",
    "occupation_code": "occupation_id",
    "level": "level",
    "record_date": "issued_on",
}
HISTORY_CERTIFICATE_FILTER: dict[str, str] = {
    "kind": CertificateKind.VOCATIONAL_SKILL_LEVEL,
    "status": CertificateStatus.VALID,
}

# record_type "skill_upgrade": people.SkillUpgradeSubsidy (3.5c).
HISTORY_SKILL_UPGRADE_COLUMNS: dict[str, str] = {
    "record_id": "record_id",
    "id_number": "person_id",
    "occupation_code": "occupation_id",
    "level": "level",
    "record_date": "granted_on",
}

# record_type "blacklist": sanctions.BlacklistEntry (6d); exactly one of id_number and institution_id is set.
HISTORY_BLACKLIST_COLUMNS: dict[str, str] = {
    "record_id": "pk",
    "id_number": "person_id",
    "institution_id": "institution__uscc",
    "listed_from": "listed_from",
    "listed_until": "listed_until",
}
