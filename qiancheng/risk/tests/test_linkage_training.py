"""`qiancheng risk train`: m/u trained on the register are stored, dated, and linkage then applies them."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.management import call_command
from django.utils import timezone

from qiancheng.accounts.models import AuditEntry
from qiancheng.clock import today
from qiancheng.risk import linkage, services
from qiancheng.risk.models import LinkCandidate, TrainedLinkageModel
from qiancheng.risk.tests import records
from qiancheng.risk.tests.linkage_rows import GIVEN, SURNAMES
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db


def _register(size: int) -> tuple[str, str]:
    """`size` different people over a few birth dates, and one woman registered twice (a mistyped number)."""
    records.county()
    chance = random.Random(3)
    for index in range(size):
        birth = f"19{70 + index % 6}0{1 + index % 9}1{index % 9}"
        name = chance.choice(SURNAMES) + chance.choice(GIVEN) + chance.choice(GIVEN)
        builders.person(id_number=builders.id_number(county="450102", birth=birth, sequence=100 + index),
                        name=name, phone=f"1390000{index:04d}")
    first = builders.person(id_number=builders.id_number(county="450102", birth="19880315", sequence=124),
                            name="黄丽娟", phone="13712345678")
    second = builders.person(id_number=builders.id_number(county="450102", birth="19880315", sequence=142),
                             name="黄丽娟", phone="13712345678")
    return first.pk, second.pk


def test_training_stores_a_dated_model_and_linkage_then_applies_it(nanning_official) -> None:
    first, second = _register(40)
    assert services.trained_model_in_force() is None  # no training yet: the priors

    model = services.train_linkage(nanning_official)

    assert TrainedLinkageModel.objects.count() == 1
    assert model.trained_on == today() and model.trained_by == nanning_official and model.record_count == 42
    assert set(model.probabilities) == set(linkage.COMPARISON_PRIORS)
    for column, (m, u) in model.probabilities.items():
        assert len(m) == len(linkage.COMPARISON_PRIORS[column][0]) == len(u)
        assert all(0 <= value <= 1 for value in m + u)
    assert model.probabilities != {column: list(pair) for column, pair in linkage.COMPARISON_PRIORS.items()}
    assert model.model_json["comparisons"]  # Splink's own saved model, kept as trained
    assert AuditEntry.objects.filter(action="risk.linkage_model_trained", actor=nanning_official).exists()
    assert services.trained_model_in_force() == model

    services.run_linkage(nanning_official)
    pairs = list(LinkCandidate.objects.all())
    assert [(pair.person_a_id, pair.person_b_id) for pair in pairs] == [tuple(sorted([first, second]))]
    assert pairs[0].model_version.endswith(f"+trained{model.pk}")


def test_a_model_trained_later_than_the_day_is_not_in_force_and_the_newest_is() -> None:
    older = TrainedLinkageModel.objects.create(
        trained_on=today() - dt.timedelta(days=30), trained_at=timezone.now(), record_count=10, model_json={},
        probabilities={})
    TrainedLinkageModel.objects.create(
        trained_on=today() + dt.timedelta(days=1), trained_at=timezone.now(), record_count=10, model_json={},
        probabilities={})
    assert services.trained_model_in_force() == older


def test_trained_probabilities_that_do_not_fit_the_levels_fall_back_to_the_priors() -> None:
    chosen = linkage._probabilities({"sex": ([1.0], [0.5]), "phone_hash": ([1.0, 0.0], [0.001, 0.999])})
    assert chosen["sex"] == linkage.COMPARISON_PRIORS["sex"]
    assert chosen["phone_hash"] == ([1.0, linkage.PROBABILITY_FLOOR], [0.001, 0.999])
    assert chosen["name"] == linkage.COMPARISON_PRIORS["name"]


def test_the_train_command_refuses_an_empty_register_and_trains_a_register() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("risk", "train")
    assert not TrainedLinkageModel.objects.exists()
    _register(20)
    call_command("risk", "train")
    assert TrainedLinkageModel.objects.get().record_count == 22
