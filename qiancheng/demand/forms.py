"""Forms of the demand pages. They only shape input; the rules live in demand/services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from qiancheng.catalog.models import City, IndustrialPark, Industry, SpecialAbilityItem
from qiancheng.catalog.vocabulary import SkillLevel
from qiancheng.demand.models import CONTENT_MAX, HEADCOUNT_MAX, WAGE_MAX, RoundScope
from qiancheng.demand.services import NAME_MAX, REASON_MAX, TITLE_MAX, ReviewDecision

YES_NO = [("yes", _("是")), ("no", _("否"))]


def show_service_errors(form: forms.Form, refusal: ValidationError) -> None:
    """A service's refusal beside the field it names, else at the top of the form."""
    if hasattr(refusal, "error_dict"):
        for name, errors in refusal.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, refusal)


class RegistrationForm(forms.Form):
    """An enterprise registers and sets its own login (1c, 3.4a)."""

    name = forms.CharField(label=_("企业名称"), max_length=NAME_MAX)
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=40, help_text=_("18位，见营业执照"))
    city = forms.ModelChoiceField(label=_("所在市"), queryset=City.objects.order_by("code"))
    park = forms.ModelChoiceField(label=_("所在园区（如有）"), required=False,
                                  queryset=IndustrialPark.objects.filter(is_active=True).order_by("code"))
    address = forms.CharField(label=_("地址"), max_length=256)
    legal_representative = forms.CharField(label=_("法定代表人"), max_length=64, help_text=_("与营业执照一致"))
    phone = forms.CharField(label=_("单位联系电话"), max_length=32, widget=forms.TextInput(attrs={"type": "tel"}))
    contact_name = forms.CharField(label=_("联系人"), max_length=64, required=False)
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput, max_length=128)
    password_again = forms.CharField(label=_("再次输入密码"), widget=forms.PasswordInput, max_length=128)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", _("两次输入的密码不一致"))
        return data


class RegistryFactsForm(forms.Form):
    """The enterprise keeps its registry facts current (risk compares them, 6d)."""

    legal_representative = forms.CharField(label=_("法定代表人"), max_length=64)
    phone = forms.CharField(label=_("单位联系电话"), max_length=32, widget=forms.TextInput(attrs={"type": "tel"}))
    address = forms.CharField(label=_("地址"), max_length=256)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("审核结论"), choices=[(ReviewDecision.APPROVE.value, _("予以通过")),
                                                              (ReviewDecision.REJECT.value, _("不予通过"))])
    reason = forms.CharField(label=_("理由"), max_length=REASON_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class RoundForm(forms.Form):
    title = forms.CharField(label=_("普查名称"), max_length=TITLE_MAX)
    period_from = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    period_to = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}))
    scope = forms.ChoiceField(label=_("普查范围"), choices=RoundScope.choices)
    city = forms.ModelChoiceField(label=_("市（按市普查时）"), required=False, queryset=City.objects.order_by("code"))
    park = forms.ModelChoiceField(label=_("园区（按园区普查时）"), required=False,
                                  queryset=IndustrialPark.objects.filter(is_active=True).order_by("code"))


class ReportForm(forms.Form):
    """One need; its checks are the service's, so a wrong value reads the same as in a file or the API."""

    occupation = forms.CharField(label=_("职业编码"), max_length=16, required=False,
                                 help_text=_("如 4-10-01-05；无国家标准时改选专项职业能力项目或填培训内容"))
    level = forms.TypedChoiceField(label=_("技能等级"), required=False, coerce=int, empty_value=None,
                                   choices=[("", "—"), *SkillLevel.choices])
    item = forms.ModelChoiceField(label=_("专项职业能力项目（无国家标准时）"), required=False, to_field_name="code",
                                  queryset=SpecialAbilityItem.objects.filter(is_active=True).order_by("code"),
                                  help_text=_("无国家职业标准时可选本区专项职业能力项目，不填等级"))
    content = forms.CharField(label=_("培训内容（无国家标准时）"), max_length=CONTENT_MAX, required=False)
    headcount = forms.IntegerField(label=_("需求人数"), min_value=1, max_value=HEADCOUNT_MAX)
    wage_offered = forms.DecimalField(label=_("月薪（元）"), min_value=0, max_value=WAGE_MAX, decimal_places=2,
                                      max_digits=9)
    county = forms.CharField(label=_("县（市、区）代码"), max_length=6)
    industry = forms.ModelChoiceField(label=_("所属产业（“1+19”）"), to_field_name="code",
                                      queryset=Industry.objects.filter(is_active=True).order_by("sort_order", "code"))
    deadline = forms.DateField(label=_("到岗期限"), widget=forms.DateInput(attrs={"type": "date"}))
    will_hire = forms.ChoiceField(label=_("是否招用培训合格人员"), choices=YES_NO)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("需求填报表（.xlsx）"))
