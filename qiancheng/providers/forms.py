"""Forms of the institution pages. They only shape input; the rules live in providers/services.py."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from qiancheng.catalog.models import City, CourseKind, SpecialAbilityItem
from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.providers.models import DocumentKind, InstitutionKind
from qiancheng.providers.services import ScopeRequest
from qiancheng.providers.uscc import check_uscc
from qiancheng.web.forms import PlainForm

# "4-04-05-05 4" or "4-04-05-05，4": an occupation code, then the highest level asked for.
_OCCUPATION_LINE = re.compile(r"^\s*(?P<code>[0-9A-Za-z-]+)\s*[,，\s]\s*(?P<level>[1-5])\s*$")


def _testid(name: str, **attrs: Any) -> dict[str, Any]:
    return {"data-testid": name, **attrs}


class ScopeFields(PlainForm, forms.Form):
    """What the institution asks to teach (1c): occupations with a level, special-ability items, course kinds."""

    occupations = forms.CharField(
        label=_("申请培训的职业（工种）"), required=False,
        help_text=_("每行一个：职业编码 最高等级，例如“4-04-05-05 4”（1=一级/高级技师 … 5=五级/初级工）"),
        widget=forms.Textarea(attrs=_testid("occupations", rows=3)))
    items = forms.MultipleChoiceField(label=_("专项职业能力项目"), required=False,
                                      widget=forms.CheckboxSelectMultiple(attrs=_testid("items")))
    course_kinds = forms.MultipleChoiceField(label=_("创业培训课程"), required=False,
                                             widget=forms.CheckboxSelectMultiple(attrs=_testid("course-kinds")))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = list(
            SpecialAbilityItem.objects.filter(is_active=True).order_by("code").values_list("code", "name"))
        self.fields["course_kinds"].choices = list(
            CourseKind.objects.order_by("sort_order", "code").values_list("code", "name"))

    def clean_occupations(self) -> list[ScopeRequest]:
        wanted: list[ScopeRequest] = []
        problems: list[str] = []
        for number, line in enumerate(self.cleaned_data["occupations"].splitlines(), start=1):
            if not line.strip():
                continue
            match = _OCCUPATION_LINE.match(line)
            if match is None:
                problems.append(f"第 {number} 行“{line.strip()}”：应为“职业编码 等级(1-5)” / line {number}: "
                                "expected an occupation code and a level 1-5")
                continue
            wanted.append(ScopeRequest(TrainingType.OCCUPATIONAL, match["code"], int(match["level"])))
        if problems:
            raise ValidationError(problems)
        return wanted

    def scope_requests(self) -> list[ScopeRequest]:
        data = self.cleaned_data
        return [
            *data.get("occupations", []),
            *(ScopeRequest(TrainingType.SPECIAL_ABILITY, code) for code in data.get("items", [])),
            *(ScopeRequest(TrainingType.ENTREPRENEURSHIP, code) for code in data.get("course_kinds", [])),
        ]

    def show_service_errors(self, refusal: ValidationError) -> None:
        """Put the service's field errors beside their fields; scope errors go beside the occupations."""
        if not hasattr(refusal, "error_dict"):
            self.add_error(None, refusal)
            return
        for field, errors in refusal.error_dict.items():
            target = "occupations" if field == "requested_scopes" else field
            self.add_error(target if target in self.fields else None, errors)


def initial_scopes(requested: list[dict[str, Any]]) -> dict[str, Any]:
    """The scope fields filled from an institution's stored requests (to correct them on resubmission)."""
    wanted = [ScopeRequest.of(data) for data in requested]
    return {
        "occupations": "\n".join(f"{each.code} {each.max_level}" for each in wanted
                                 if each.training_type == TrainingType.OCCUPATIONAL),
        "items": [each.code for each in wanted if each.training_type == TrainingType.SPECIAL_ABILITY],
        "course_kinds": [each.code for each in wanted if each.training_type == TrainingType.ENTREPRENEURSHIP],
    }


class RegistrationForm(ScopeFields):
    """`/institutions/register/`: the application (1c) and the institution's own account."""

    field_order = ["name", "uscc", "kind", "city", "address", "legal_representative", "phone", "contact_name",
                   "occupations", "items", "course_kinds", "capacity", "username", "password", "password_again"]

    name = forms.CharField(label=_("机构名称"), max_length=128, widget=forms.TextInput(attrs=_testid("name")))
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=24,
                           widget=forms.TextInput(attrs=_testid("uscc", autocomplete="off")))
    kind = forms.ChoiceField(label=_("机构类型"), choices=InstitutionKind.choices,
                             widget=forms.Select(attrs=_testid("kind")))
    city = forms.ModelChoiceField(label=_("所在市"), queryset=City.objects.order_by("code"),
                                  widget=forms.Select(attrs=_testid("city")))
    address = forms.CharField(label=_("地址"), max_length=256, widget=forms.TextInput(attrs=_testid("address")))
    legal_representative = forms.CharField(
        label=_("法定代表人"), max_length=64, help_text=_("与营业执照或事业单位法人证书一致"),
        widget=forms.TextInput(attrs=_testid("legal-representative")))
    phone = forms.CharField(label=_("单位联系电话"), max_length=32,
                            widget=forms.TextInput(attrs=_testid("phone", type="tel", autocomplete="tel")))
    contact_name = forms.CharField(label=_("联系人"), max_length=64,
                                   widget=forms.TextInput(attrs=_testid("contact-name")))
    capacity = forms.IntegerField(label=_("培训能力（同时在训人数）"), min_value=1,
                                  widget=forms.NumberInput(attrs=_testid("capacity")))
    username = forms.CharField(label=_("登录用户名"), max_length=150,
                               widget=forms.TextInput(attrs=_testid("username", autocomplete="username")))
    password = forms.CharField(label=_("登录密码"), strip=False, max_length=256,
                               help_text=_("至少 10 位，不能是常见密码"),
                               widget=forms.PasswordInput(attrs=_testid("password", autocomplete="new-password")))
    password_again = forms.CharField(label=_("再次输入密码"), strip=False, max_length=256,
                                     widget=forms.PasswordInput(attrs=_testid("password-again",
                                                                              autocomplete="new-password")))

    def clean_uscc(self) -> str:
        """The code's own check (GB 32100) here, so it is reported together with the other fields' errors."""
        check = check_uscc(self.cleaned_data["uscc"])
        if not check.is_valid:
            reason = check.errors[0]
            raise ValidationError(f"统一社会信用代码：{reason.zh} / USCC: {reason.en}", code="uscc_invalid")
        return check.normalised

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", _("两次输入的密码不一致"))
        return data


class ResubmitForm(ScopeFields):
    """The institution corrects its application when the city asked for changes, and sends it back."""

    field_order = ["name", "address", "legal_representative", "phone", "contact_name", "occupations", "items",
                   "course_kinds"]

    name = forms.CharField(label=_("机构名称"), max_length=128)
    address = forms.CharField(label=_("地址"), max_length=256)
    legal_representative = forms.CharField(label=_("法定代表人"), max_length=64)
    phone = forms.CharField(label=_("单位联系电话"), max_length=32, widget=forms.TextInput(attrs={"type": "tel"}))
    contact_name = forms.CharField(label=_("联系人"), max_length=64, required=False)


class RegistryFactsForm(PlainForm, forms.Form):
    """The institution keeps its registry facts current (risk compares them, 6d)."""

    legal_representative = forms.CharField(label=_("法定代表人"), max_length=64,
                                           widget=forms.TextInput(attrs=_testid("facts-legal-representative")))
    phone = forms.CharField(label=_("单位联系电话"), max_length=32,
                            widget=forms.TextInput(attrs=_testid("facts-phone", type="tel", autocomplete="tel")))
    address = forms.CharField(label=_("地址"), max_length=256, widget=forms.TextInput(attrs=_testid("facts-address")))


class CapacityForm(PlainForm, forms.Form):
    capacity = forms.IntegerField(label=_("培训能力（同时在训人数）"), min_value=1,
                                  widget=forms.NumberInput(attrs=_testid("capacity")))


class DocumentForm(PlainForm, forms.Form):
    kind = forms.ChoiceField(label=_("资料类别"), choices=DocumentKind.choices,
                             widget=forms.Select(attrs=_testid("document-kind")))
    file = forms.FileField(label=_("文件（PDF、JPEG 或 PNG，不超过 10 MB）"),
                           widget=forms.ClearableFileInput(attrs=_testid("document-file",
                                                                         accept=".pdf,.jpg,.jpeg,.png")))


class VenueForm(PlainForm, forms.Form):
    name = forms.CharField(label=_("场地名称"), max_length=128, widget=forms.TextInput(attrs=_testid("venue-name")))
    address = forms.CharField(label=_("场地地址"), max_length=256,
                              widget=forms.TextInput(attrs=_testid("venue-address")))
    area_m2 = forms.DecimalField(label=_("面积（平方米）"), max_digits=9, decimal_places=2, min_value=0.01,
                                 widget=forms.NumberInput(attrs=_testid("venue-area", step="0.01")))
    seats = forms.IntegerField(label=_("工位/座位数"), min_value=1,
                               widget=forms.NumberInput(attrs=_testid("venue-seats")))


class TeacherForm(PlainForm, forms.Form):
    name = forms.CharField(label=_("教师姓名"), max_length=64, widget=forms.TextInput(attrs=_testid("teacher-name")))
    id_number = forms.CharField(label=_("身份证号"), max_length=32,
                                widget=forms.TextInput(attrs=_testid("teacher-id-number", autocomplete="off")))
    qualifications = forms.CharField(label=_("资格证书"), required=False, max_length=500,
                                     widget=forms.TextInput(attrs=_testid("teacher-qualifications")))


class ReviewForm(PlainForm, forms.Form):
    """The city's decision (1c). The button pressed carries the decision; approval also needs its end date."""

    reason = forms.CharField(label=_("审核意见"), max_length=2000,
                             widget=forms.Textarea(attrs=_testid("review-reason", rows=3)))
    approved_until = forms.DateField(label=_("认定有效期至"), required=False,
                                     widget=forms.DateInput(attrs=_testid("approved-until", type="date"),
                                                            format="%Y-%m-%d"))
    granted = forms.TypedMultipleChoiceField(label=_("批准的培训范围"), required=False, coerce=int,
                                             widget=forms.CheckboxSelectMultiple(attrs=_testid("granted")))

    def __init__(self, *args: Any, scope_labels: list[str], default_until: date, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"approved_until": default_until,
                                      "granted": list(range(len(scope_labels)))})
        super().__init__(*args, **kwargs)
        self.fields["granted"].choices = list(enumerate(scope_labels))


class DisciplineForm(PlainForm, forms.Form):
    """Suspend, reinstate or blacklist (6d), with the reason and, for the blacklist, the decision's number."""

    reason = forms.CharField(label=_("理由"), max_length=2000,
                             widget=forms.Textarea(attrs=_testid("discipline-reason", rows=2)))
    document_ref = forms.CharField(label=_("处理决定文号（列入黑名单时）"), required=False, max_length=128,
                                   widget=forms.TextInput(attrs=_testid("document-ref")))


class RenewalForm(PlainForm, forms.Form):
    """An expired institution asks to be certified again: what changed since its last approval."""

    note = forms.CharField(label=_("续期说明（资质、场地、师资等有何变化）"), max_length=2000,
                           widget=forms.Textarea(attrs=_testid("renewal-note", rows=3)))
