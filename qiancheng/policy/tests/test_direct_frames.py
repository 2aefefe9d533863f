"""The online fast path decides as the batch engine does (issue 14 item 5).

The fast path for a frame of one: the records typed directly (`policy.direct`) instead of through the
exchange validation, and the engine answering a limit or the blacklist with no earlier record without
planning its joins. The reference is the batch route: `claims_from_records` / `history_from_records` and
the engine with `trace=True`, which always runs every join. For any records, valid or not, the two routes
give the same typed frame or the same refusal, and the same decisions: eligibility, amounts and the
clauses named.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qiancheng.policy import direct
from qiancheng.policy.batch import claims_from_records, history_from_records
from qiancheng.policy.engine import decide
from qiancheng.policy.exchange import CLAIM_FIELDS, HISTORY_FIELDS, ExchangeError
from qiancheng.policy.tests.claimdata import PERSON_A, claim
from qiancheng.policy.tests.test_engine_properties import PARAMS, claims_strategy, history_strategy

AS_OF = dt.date(2027, 12, 31)
DECIDED = ["claim_id", "eligible", "training_amount", "employment_amount", "total_amount", "denied_by"]
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Each example of the engine comparisons decides twice (fast path, batch with every join): as many examples as the
# engine's own property tests, which keeps the suite within its time.
ENGINE = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Values the exchange format refuses somewhere, or reads in a way worth checking: wrong shapes of dates,
# numbers and booleans, JSON types where text belongs, a code with a line break, the empty string.
ODD_VALUES = st.sampled_from([
    None, "", " ", "2025-02-30", "0000-01-01", "2025-1-01", "2025-01-01 ", "１２", "12", "007", "0", "-1",
    "1234567890", "6", "true", "True", "false", 7, 0, True, False, 3.5, "450102\n", "45010", "abc",
    {"a": 1}, ["x"], "SYB", "IYB", "occupational", "claim", "blacklist", "pending", "labour_contract",
])


def _route(full, fast, records):
    """(frame, None) or (None, problems) for each route."""
    out = []
    for builder in (full, fast):
        try:
            out.append((builder(records), None))
        except ExchangeError as error:
            out.append((None, error.problems))
    return out


def _assert_same(full_result, fast_result):
    (full_frame, full_problems), (fast_frame, fast_problems) = full_result, fast_result
    assert fast_problems == full_problems
    if full_frame is not None:
        assert fast_frame.schema == full_frame.schema
        assert fast_frame.equals(full_frame)


@st.composite
def spoiled(draw, records_strategy, fields):
    """Records with some values replaced by odd ones (or the field left out)."""
    records = [dict(record) for record in draw(records_strategy)]
    for _ in range(draw(st.integers(0, 3))):
        if not records:
            break
        record = draw(st.sampled_from(records))
        name = draw(st.sampled_from([field.name for field in fields]))
        if draw(st.booleans()):
            record[name] = draw(ODD_VALUES)
        else:
            record.pop(name, None)
    if records and draw(st.integers(0, 9)) == 0:
        records.append(dict(records[0]))  # a duplicate ID
    return records


@FAST
@given(spoiled(claims_strategy(), CLAIM_FIELDS))
def test_claims_typed_directly_equal_the_validated_frame_or_the_same_refusal(records):
    full, fast = _route(claims_from_records, direct.claims_frame, records)
    _assert_same(full, fast)


@FAST
@given(spoiled(history_strategy(), HISTORY_FIELDS))
def test_history_typed_directly_equals_the_validated_frame_or_the_same_refusal(records):
    full, fast = _route(history_from_records, direct.history_frame, records)
    _assert_same(full, fast)


def _batch(claims, history):
    """The batch route: exchange validation, every join planned (trace), the traced columns left out."""
    run = decide(claims_from_records(claims), history_from_records(history), PARAMS, AS_OF, trace=True)
    return run.decisions.select(DECIDED)


def _fast(claims, history):
    return decide(direct.claims_frame(claims), direct.history_frame(history), PARAMS, AS_OF).decisions


@ENGINE
@given(claims_strategy(), history_strategy())
def test_one_claim_on_the_fast_path_is_decided_as_by_the_batch_engine(claims, history):
    for one in claims:
        assert _fast([one], history).equals(_batch([one], history)), one["claim_id"]


@ENGINE
@given(claims_strategy(), history_strategy())
def test_a_small_batch_on_the_fast_path_is_decided_as_by_the_batch_engine(claims, history):
    assert _fast(claims, history).equals(_batch(claims, history))


def test_the_fast_path_reaches_denials_and_names_their_clauses():
    """Not only grants: the clauses a denial names come out the same (3.5a from history, 6d, 3.2, data.id)."""
    history = [
        {"record_type": "claim", "record_id": "H1", "id_number": PERSON_A, "training_type": "occupational",
         "fund": "employment_subsidy", "occupation_code": "4-04-05-05", "level": 4, "end_date": "2026-03-31",
         "status": "paid"},
        {"record_type": "blacklist", "record_id": "B1", "institution_id": "I2", "listed_from": "2025-01-01"},
    ]
    cases = [claim("A", end_date="2026-06-30", start_date="2026-06-01"),
             claim("B", institution_id="I2", advanced_by_id="I2"),
             claim("C", training_type="special_ability", item_code="IT1", class_hours=27),
             claim("D", id_number=PERSON_A[:-1] + ("0" if PERSON_A[-1] != "0" else "1"))]
    denied = {}
    for one in cases:
        fast, batch = _fast([one], history), _batch([one], history)
        assert fast.equals(batch)
        denied[one["claim_id"]] = fast["denied_by"][0]
    assert "3.5a" in denied["A"].split(";")
    assert "6d" in denied["B"].split(";")
    assert "3.2" in denied["C"].split(";")
    assert "data.id" in denied["D"].split(";")


def test_more_records_than_the_direct_limit_take_the_validation_route():
    records = [claim(f"C{n}") for n in range(direct.DIRECT_MAX_RECORDS + 1)]
    assert direct.claims_frame(records).equals(claims_from_records(records))


def test_no_history_is_one_shared_empty_frame():
    assert direct.history_frame([]) is direct.history_frame([])
    assert direct.history_frame([]).equals(history_from_records([]))
    assert isinstance(direct.history_frame([]), pl.DataFrame)


@pytest.mark.parametrize("value", ["2025-02-30", "abc", None])
def test_a_refused_record_gets_the_validations_own_message(value):
    record = claim("X", end_date=value)
    with pytest.raises(ExchangeError) as fast:
        direct.claims_frame([record])
    with pytest.raises(ExchangeError) as full:
        claims_from_records([record])
    assert fast.value.problems == full.value.problems
