"""Forms of the project pages. They only read the input; the services decide and record (3.4a-d)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qiancheng.catalog.models import ProgrammeTag
from qiancheng.projects.models import Project, TraineeLink
from qiancheng.projects.services import APPLICATION_FIELDS, ProjectDecision
from qiancheng.web.forms import PlainForm


def _text(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class _Form(PlainForm, forms.Form):
    """Labels without Django's trailing colon: the pages lay labels above their fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ProjectForm(_Form):
    """3.4a: 申报培训人数、技能要求、培训内容、培训时长、培训方式、预期效果; 3.4e: whom it trains."""

    title = forms.CharField(label=_("项目名称"), max_length=128)
    headcount = forms.IntegerField(label=_("培训人数"), min_value=1)
    skill_requirements = forms.CharField(label=_("技能要求"), widget=_text())
    content = forms.CharField(label=_("培训内容"), widget=_text(4))
    duration_hours = forms.IntegerField(label=_("培训时长（课时）"), min_value=1)
    method = forms.CharField(label=_("培训方式"), max_length=128, help_text=_("例如：线下集中 + 岗位实操"))
    expected_effect = forms.CharField(label=_("预期效果"), widget=_text())
    trainee_link = forms.ChoiceField(
        label=_("培训对象与本单位的关系（第3.4条(五)）"), choices=TraineeLink.choices, widget=forms.RadioSelect
    )
    programme_tags = forms.ModelMultipleChoiceField(
        label=_("专项培训（第4条，可不选）"), queryset=ProgrammeTag.objects.all(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not ProgrammeTag.objects.exists():  # a catalogue not loaded yet: no empty box to tick
            del self.fields["programme_tags"]

    @classmethod
    def of(cls, project: Project) -> ProjectForm:
        initial: dict[str, Any] = {name: getattr(project, name) for name in APPLICATION_FIELDS}
        initial["programme_tags"] = list(project.programme_tags.all())
        return cls(initial=initial)

    def tags(self) -> list[ProgrammeTag] | None:
        """The ticked programmes, or None when the form had no such field (leave the tags as they are)."""
        return list(self.cleaned_data["programme_tags"]) if "programme_tags" in self.fields else None

    def application(self) -> dict[str, Any]:
        """The cleaned fields as the services take them (tags apart)."""
        return {name: self.cleaned_data[name] for name in APPLICATION_FIELDS}


class ReviewForm(_Form):
    """3.4b: approve, or refuse with a reason."""

    decision = forms.ChoiceField(
        label=_("审核结论"), widget=forms.RadioSelect,
        choices=[(ProjectDecision.APPROVE.value, _("批准")), (ProjectDecision.REJECT.value, _("不予批准"))],
    )
    reason = forms.CharField(label=_("审核意见（不予批准时必填）"), required=False, widget=_text())


class DeliverForm(_Form):
    """3.4c: an institution's voluntary application to deliver a published project."""

    statement = forms.CharField(label=_("承训说明（如何满足项目条件）"), widget=_text(4))


class ChooseForm(_Form):
    """3.4c: 择优确定 — which application, and why."""

    application = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("选定理由"), widget=_text(2))


class ConfirmForm(_Form):
    """3.4d: whether the training's effect was met, with a note (required when not met)."""

    met = forms.TypedChoiceField(
        label=_("培训效果"), widget=forms.RadioSelect, coerce=lambda value: value == "yes",
        choices=[("yes", _("达到预期效果")), ("no", _("未达到预期效果"))],
    )
    note = forms.CharField(label=_("说明（未达到时必填）"), required=False, widget=_text(2))
