"""City scope: the one place that decides which records a user may see.

Every model that holds programme data is registered once with the paths from it to its city and to
its owners. `scoped(queryset, user)` then filters by the user's role:

| role              | sees                                                        |
|-------------------|-------------------------------------------------------------|
| province official | everything                                                  |
| city official     | records whose `city` path reaches the official's city       |
| institution       | records whose `institution` path reaches its institution    |
| enterprise        | records whose `enterprise` path reaches its enterprise      |
| trainee           | records whose `person` path reaches the trainee's person    |
| industry department | records whose `industry` path reaches its industry (its plans); no record of a person |
| anyone else       | nothing (anonymous, inactive, a back-office account with no role) |

A role whose path is not given sees nothing of that model. A path is a Django lookup path
("city", "institution__city", "enrolment__training_class__city"), several paths any of which may
match, or a function from the user's key to a `Q` for the odd model that has no foreign key to follow.

`get_scoped_or_404` answers "not yours" and "does not exist" with the same 404, so an outsider cannot
learn that a record exists. Every view and API endpoint fetches through these two functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, ValidationError
from django.db import models
from django.db.models import Q
from django.http import Http404

from qiancheng.accounts.models import Role

M = TypeVar("M", bound=models.Model)
V = TypeVar("V", bound=Callable[..., Any])
Path = str | tuple[str, ...] | Callable[[Any], Q]

NOT_FOUND_MESSAGE = "未找到该记录 / No such record"


@dataclass(frozen=True)
class ScopeRule:
    """How one model reaches its city and its owners; None means that role sees none of it."""

    city: Path | None = None
    institution: Path | None = None
    enterprise: Path | None = None
    person: Path | None = None
    industry: Path | None = None

    def paths(self) -> dict[str, Path | None]:
        return {
            "city": self.city,
            "institution": self.institution,
            "enterprise": self.enterprise,
            "person": self.person,
            "industry": self.industry,
        }


_REGISTRY: dict[type[models.Model], ScopeRule] = {}

# The user attribute holding the key each role's path is compared with.
_ROLE_KEY = {
    Role.CITY_OFFICIAL: ("city", "city_id"),
    Role.INSTITUTION: ("institution", "institution_id"),
    Role.ENTERPRISE: ("enterprise", "enterprise_id"),
    Role.TRAINEE: ("person", "person_id"),
    Role.INDUSTRY_DEPARTMENT: ("industry", "industry_id"),
}


def register(
    model: type[M],
    *,
    city: Path | None,
    institution: Path | None = None,
    enterprise: Path | None = None,
    person: Path | None = None,
    industry: Path | None = None,
) -> type[M]:
    """Declare how `model` is scoped. Call once per model, from the app's `AppConfig.ready()`.

    `city` is required as an argument (pass None explicitly for province-only data) so nobody forgets it.
    """
    rule = ScopeRule(city=city, institution=institution, enterprise=enterprise, person=person, industry=industry)
    existing = _REGISTRY.get(model)
    if existing is not None and existing != rule:
        raise ImproperlyConfigured(f"{model._meta.label} is already registered for scope with other paths")
    _REGISTRY[model] = rule
    return model


def rule_for(model: type[models.Model]) -> ScopeRule:
    concrete = model._meta.concrete_model or model
    try:
        return _REGISTRY[concrete]
    except KeyError as exc:
        raise ImproperlyConfigured(
            f"{model._meta.label} has no scope rule: call qiancheng.accounts.scope.register() for it"
        ) from exc


def registered_models() -> list[type[models.Model]]:
    return sorted(_REGISTRY, key=lambda model: model._meta.label)


def path_q(path: Path, value: Any) -> Q:
    """The condition "this path reaches `value`" (any of several paths)."""
    if callable(path):
        return path(value)
    if isinstance(path, str):
        return Q(**{path: value})
    condition = Q()
    for each in path:
        condition |= Q(**{each: value})
    return condition


def visibility(model: type[models.Model], user: Any) -> Q | None:
    """The filter for what `user` may see of `model`: Q() for all, None for nothing."""
    rule = rule_for(model)
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.role == Role.PROVINCE_OFFICIAL:
        return Q()
    if user.role not in _ROLE_KEY:
        return None
    rule_field, user_attribute = _ROLE_KEY[user.role]
    path, key = rule.paths()[rule_field], getattr(user, user_attribute)
    if path is None or key is None:
        return None
    return path_q(path, key)


def scoped(queryset: models.QuerySet[M] | type[M], user: Any) -> models.QuerySet[M]:
    """Only the records of `queryset` that `user` may see."""
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    condition = visibility(queryset.model, user)
    if condition is None:
        return queryset.none()
    # distinct() because a multi-valued path (a reverse relation) can repeat a row.
    needs_distinct = bool(condition) and _crosses_many(queryset.model, condition)
    filtered = queryset.filter(condition)
    return filtered.distinct() if needs_distinct else filtered


def get_scoped_or_404(model_or_queryset: models.QuerySet[M] | type[M], user: Any, **lookup: Any) -> M:
    """The one record matching `lookup` that `user` may see, else the same Http404 whatever the reason."""
    try:
        return scoped(model_or_queryset, user).get(**lookup)
    except (models.ObjectDoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404(NOT_FOUND_MESSAGE) from exc


def public(view: V) -> V:
    """Mark a page or API operation that shows the same published data to everyone (e.g. certificate
    verification). tests/test_scope_everywhere.py leaves such views out of its "outsider gets 404" walk;
    every other view with an id in its URL must answer another city's id with the same 404 as a missing one.
    """
    view.scope_public = True  # type: ignore[attr-defined]
    return view


def _crosses_many(model: type[models.Model], condition: Q) -> bool:
    for child in condition.children:
        if isinstance(child, Q):
            if _crosses_many(model, child):
                return True
            continue
        if _path_is_multivalued(model, child[0]):
            return True
    return False


def _path_is_multivalued(model: type[models.Model], lookup: str) -> bool:
    current = model
    for part in lookup.split("__"):
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:  # a lookup suffix such as "in" or "pk" ends the walk
            return False
        if field.many_to_many or field.one_to_many:
            return True
        if not field.is_relation or field.related_model is None:
            return False
        current = field.related_model
    return False
