"""`POST /api/v1/decisions`: decide claims sent as JSON, the same engine as `qiancheng check`.

The body is parsed with exact decimals (a JSON number in the parameters never becomes a float);
records use the field names of EXCHANGE.md, decisions come back in the decisions-file shape.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema, Status

from qiancheng import clock
from qiancheng.policy.batch import check_not_in_history
from qiancheng.policy.direct import claims_frame, history_frame
from qiancheng.policy.engine import decide
from qiancheng.policy.exchange import ExchangeError
from qiancheng.policy.params import ParameterError, packaged_params, params_from_exchange

router = Router(tags=["decisions 补贴判定"])
MAX_CLAIMS_PER_REQUEST = 10_000
# Who may run the engine on arbitrary claims: the bureaus (what-if, re-audit) and institutions (checking what
# they will claim). A trainee or an enterprise has no use for it and must not be able to load the server with
# 10,000-claim requests. Role values as strings: the engine's layer imports no app (DESIGN.md).
DECIDING_ROLES = frozenset({"province_official", "city_official", "institution"})


class DecisionRequest(Schema):
    claims: list[dict[str, Any]]
    history: list[dict[str, Any]] = []
    params: dict[str, Any] | None = None
    as_of: dt.date | None = None


class Decision(Schema):
    claim_id: str
    eligible: bool
    training_amount: str
    employment_amount: str
    total_amount: str
    denied_by: str


class DecisionResponse(Schema):
    decisions: list[Decision]
    params_id: str
    rule_version: str
    as_of: dt.date


class Problem(Schema):
    code: str
    message_zh: str
    message_en: str
    problems: list[str] = []


def _problem(code: str, zh: str, en: str, problems: list[str] | None = None) -> Status:
    return Status(422, Problem(code=code, message_zh=zh, message_en=en, problems=problems or []))


@router.post("", response={200: DecisionResponse, 403: Problem, 422: Problem}, summary="Decide claims 判定补贴申请")
def decide_claims(request: HttpRequest, payload: DecisionRequest) -> Status:
    if getattr(request.auth, "role", None) not in DECIDING_ROLES:
        raise PermissionDenied("只有人社部门和培训机构可以调用补贴判定 / only the bureaus and institutions may run decisions")
    body = json.loads(request.body, parse_float=Decimal)  # exact decimals, not the schema's floats
    if len(body.get("claims") or []) > MAX_CLAIMS_PER_REQUEST:
        return _problem("too_many", f"每次最多{MAX_CLAIMS_PER_REQUEST}项申请，更多请用批量文件",
                        f"at most {MAX_CLAIMS_PER_REQUEST} claims a request; use a batch file")
    try:
        # A few records are typed directly, anything else (or anything refused) by the exchange validation:
        # the same frame or the same error (policy.direct). The packaged parameters are parsed once per process.
        claims = claims_frame(body.get("claims") or [], "claims")
        history = history_frame(body.get("history") or [], "history")
        check_not_in_history(claims, history, "claims")
        params = (params_from_exchange(body["params"], "params") if body.get("params") is not None
                  else packaged_params())
    except ExchangeError as error:
        return _problem("format", "申请数据格式有误", "the records break the format", error.problems)
    except ParameterError as error:
        return _problem("params", "参数有误", "the parameters are not usable", [str(error)])
    as_of = payload.as_of or params.as_of or clock.today()
    try:
        run = decide(claims, history, params, as_of)
    except ParameterError as error:
        return _problem("no_standard", "缺少补贴标准", "no standard", [str(error)])
    rows = run.decisions.to_dicts()
    return Status(200, {"decisions": rows, "params_id": run.params_id, "rule_version": run.rule_version,
                        "as_of": run.as_of})
