"""Forms of the class pages: what an institution states to open a class, one enrolment, one session."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qiancheng.catalog.models import (
    CourseKind,
    IndustrialPark,
    Industry,
    Occupation,
    ProgrammeTag,
    SpecialAbilityItem,
)
from qiancheng.catalog.parks import parks_in_force
from qiancheng.catalog.vocabulary import ApplicantRelation, SkillLevel, TrainingType
from qiancheng.clock import today
from qiancheng.people.models import PersonCategory
from qiancheng.projects.models import Project, ProjectStatus
from qiancheng.providers.models import Institution, InstitutionScope, Teacher
from qiancheng.training.models import TrainingForm
from qiancheng.training.services.classes import ClassPlan
from qiancheng.training.services.evidence import EnrolmentEvidence
from qiancheng.web.forms import PlainForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0"), "initial": Decimal("0")}


class ClassForm(PlainForm, forms.Form):
    """开班申请: the plan, teachers, venue, assessment plan, cost split (5.4) and programme tags (clause 4).

    The subject choices are the institution's own approved scope (InstitutionScope), so the page offers
    only what it may teach; the service still checks every rule (3.1, 3.2, 3.4c) and its refusals are
    shown on the form.
    """

    name = forms.CharField(label=_("班级名称"), max_length=128)
    training_type = forms.ChoiceField(label=_("培训类型"),
                                      choices=TrainingType.choices)
    occupation = forms.ModelChoiceField(label=_("职业（工种）"), queryset=Occupation.objects.none(), required=False)
    level = forms.TypedChoiceField(label=_("技能等级"), required=False, coerce=int, empty_value=None,
                                   choices=[("", _("请选择…")), *SkillLevel.choices])
    item = forms.ModelChoiceField(label=_("专项职业能力项目"), queryset=SpecialAbilityItem.objects.none(), required=False)
    course_kind = forms.ModelChoiceField(label=_("创业培训类别"), queryset=CourseKind.objects.none(), required=False)
    project = forms.ModelChoiceField(label=_("项目制培训项目"), queryset=Project.objects.none(), required=False)
    park = forms.ModelChoiceField(
        label=_("服务园区（第4.1条沿边临港产业园区）"), queryset=IndustrialPark.objects.none(), required=False)
    training_form = forms.ChoiceField(
        label=_("培训形式（第2条）"), required=False, choices=[("", _("按培训类型（职业技能、专项能力：就业技能培训）")),
                                                          *TrainingForm.choices])
    industry = forms.ModelChoiceField(label=_("服务产业（“1+19”）"), queryset=Industry.objects.none(), required=False)
    start_date = forms.DateField(label=_("开班日期"), widget=DATE)
    end_date = forms.DateField(label=_("结业日期"), widget=DATE)
    class_hours = forms.IntegerField(label=_("课时"), min_value=1, max_value=2000)
    teaching_plan = forms.CharField(label=_("教学计划"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    teachers = forms.ModelMultipleChoiceField(label=_("授课教师"), queryset=Teacher.objects.none(), required=False,
                                              widget=forms.CheckboxSelectMultiple)
    venue = forms.CharField(label=_("培训场地"), max_length=256, required=False)
    assessment_plan = forms.CharField(label=_("考核方案"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    cost_government = forms.DecimalField(label=_("政府补贴部分（元）"), **MONEY)
    cost_enterprise = forms.DecimalField(label=_("企业承担部分（元）"), **MONEY)
    cost_individual = forms.DecimalField(label=_("个人承担部分（元）"), **MONEY)
    programme_tags = forms.ModelMultipleChoiceField(label=_("重点任务标签（第4条）"), queryset=ProgrammeTag.objects.none(),
                                                    required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, institution: Institution, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scopes = InstitutionScope.objects.filter(institution=institution)
        fields: dict[str, Any] = self.fields
        fields["occupation"].queryset = Occupation.objects.filter(
            pk__in=scopes.exclude(occupation=None).values("occupation")).order_by("code")
        fields["occupation"].label_from_instance = lambda occupation: f"{occupation.code} {occupation.name}"
        fields["item"].queryset = SpecialAbilityItem.objects.filter(pk__in=scopes.exclude(item=None).values("item"))
        fields["course_kind"].queryset = CourseKind.objects.filter(
            pk__in=scopes.exclude(course_kind=None).values("course_kind"))
        # 3.4c: only a published project that chose this institution may have a class.
        fields["project"].queryset = Project.objects.filter(chosen_institution=institution,
                                                            status=ProjectStatus.PUBLISHED).order_by("code")
        fields["project"].label_from_instance = lambda project: f"{project.code} {project.title}"
        fields["teachers"].queryset = Teacher.objects.filter(institution=institution, is_active=True).order_by("name")
        fields["programme_tags"].queryset = ProgrammeTag.objects.order_by("sort_order", "code")
        fields["industry"].queryset = Industry.objects.filter(is_active=True).order_by("sort_order", "code")
        # 4.1: the parks of the institution's own city on the list today (the service checks the class's dates).
        fields["park"].queryset = parks_in_force(today()).filter(city=institution.city_id).order_by("code")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("training_type")
        needed = {TrainingType.OCCUPATIONAL: ("occupation", "level"), TrainingType.SPECIAL_ABILITY: ("item",),
                  TrainingType.ENTREPRENEURSHIP: ("course_kind",), TrainingType.PROJECT: ("project",)}.get(kind, ())
        for name in needed:
            if data.get(name) in (None, ""):
                self.add_error(name, _("该培训类型须填写此项"))
        # Only the subject the type needs is kept (the database refuses a class with two subjects).
        for name in ("occupation", "level", "item", "course_kind", "project"):
            if name not in needed:
                data[name] = None
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("结业日期不能早于开班日期"))
        return data

    def plan(self) -> ClassPlan:
        data = self.cleaned_data
        return ClassPlan(
            name=data["name"], training_type=data["training_type"], start_date=data["start_date"],
            end_date=data["end_date"], class_hours=data["class_hours"], occupation=data["occupation"],
            level=data["level"], item=data["item"], course_kind=data["course_kind"], project=data["project"],
            park=data["park"], training_form=data.get("training_form") or "", industry=data.get("industry"),
            teaching_plan=data["teaching_plan"], assessment_plan=data["assessment_plan"], venue=data["venue"],
            cost_government=data["cost_government"], cost_enterprise=data["cost_enterprise"],
            cost_individual=data["cost_individual"], teachers=list(data["teachers"]),
            programme_tags=list(data["programme_tags"]),
        )


class EnrolForm(PlainForm, forms.Form):
    """实名报名一名学员: by name and ID number (6c)."""

    name = forms.CharField(label=_("姓名"), max_length=64)
    id_number = forms.CharField(label=_("身份证号"), max_length=32)
    category = forms.ChoiceField(label=_("人员类别"),
                                 choices=PersonCategory.choices)
    relation = forms.ChoiceField(label=_("与申报企业关系（项目制）"), required=False,
                                 initial=ApplicantRelation.NONE,
                                 choices=ApplicantRelation.choices)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    # What the rules read, each fact with its document (kind and number) and date: 2.1a, 5.3, 3.3, 3.4e.
    category_evidence = forms.CharField(label=_("人员类别证明（种类及编号）"), max_length=128, required=False)
    category_evidence_date = forms.DateField(label=_("人员类别证明日期"), required=False, widget=DATE)
    receiving_unemployment_benefit = forms.BooleanField(label=_("领取失业保险金"), required=False)
    benefit_evidence = forms.CharField(label=_("失业保险金证明（种类及编号）"), max_length=128, required=False)
    benefit_evidence_date = forms.DateField(label=_("失业保险金证明日期"), required=False, widget=DATE)
    business_licence_uscc = forms.CharField(label=_("营业执照统一社会信用代码"), max_length=24, required=False)
    business_licence_issued_on = forms.DateField(label=_("营业执照发证日期"), required=False, widget=DATE)
    relation_evidence = forms.CharField(label=_("与申报企业关系证明（种类及编号）"), max_length=128, required=False)
    relation_evidence_date = forms.DateField(label=_("关系证明日期"), required=False, widget=DATE)

    def clean_relation(self) -> str:
        return self.cleaned_data.get("relation") or ApplicantRelation.NONE

    def evidence(self) -> EnrolmentEvidence:
        """The evidence fields as the enrolment service takes them (it checks them, as for a roster row)."""
        return EnrolmentEvidence(**{name: self.cleaned_data[name] for name in EnrolmentEvidence().enrolment_fields()})


class RefuseForm(PlainForm, forms.Form):
    reason = forms.CharField(label=_("不予批准理由"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class DiscardForm(PlainForm, forms.Form):
    reason = forms.CharField(label=_("放弃理由"), max_length=500, required=False)
