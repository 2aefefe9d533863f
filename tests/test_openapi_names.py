"""Every API schema has its own name: two classes of one name are merged into one OpenAPI component, and
the document then describes one endpoint with the other's fields (ReviewIn, ImportOut and RateOut did)."""

from __future__ import annotations

from collections import defaultdict

from ninja import Schema

from qiancheng.api import api


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def test_schema_class_names_are_unique() -> None:
    api.get_openapi_schema()  # every router imported
    modules: dict[str, set[str]] = defaultdict(set)
    for schema in _subclasses(Schema):
        if schema.__module__.startswith("qiancheng."):
            modules[schema.__name__].add(schema.__module__)
    clashes = {name: sorted(where) for name, where in modules.items() if len(where) > 1}
    assert clashes == {}


def test_the_document_describes_what_the_endpoints_answer() -> None:
    components = api.get_openapi_schema()["components"]["schemas"]
    assert "enrolment_id" not in components["EmploymentRateOut"]["properties"]
    assert {"action", "note"} <= set(components["ClaimReviewIn"]["properties"])
