"""Admin for classes, enrolments and attendance: view-only; trainees appear by masked ID number."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from qiancheng.people.admin import ViewOnlyAdmin, search_by_id_number
from qiancheng.training.models import AttendanceRecord, Enrolment, TrainingClass


@admin.register(TrainingClass)
class TrainingClassAdmin(ViewOnlyAdmin):
    list_display = (
        "name", "institution", "city", "training_type", "occupation", "level", "item", "course_kind",
        "start_date", "end_date", "class_hours", "status",
    )
    list_filter = ("status", "training_type", "city")
    search_fields = ("name", "institution__name")
    list_select_related = ("institution", "city", "occupation", "item", "course_kind")


@admin.register(Enrolment)
class EnrolmentAdmin(ViewOnlyAdmin):
    list_display = ("training_class", "person_name", "person_masked", "category", "applicant_relation", "status")
    list_filter = ("status", "category", "applicant_relation")
    search_fields = ("person__name", "training_class__name")
    list_select_related = ("training_class", "person")

    @admin.display(description="姓名 name")
    def person_name(self, enrolment: Enrolment) -> str:
        return enrolment.person.name

    @admin.display(description="身份证号 ID number")
    def person_masked(self, enrolment: Enrolment) -> str:
        return enrolment.person.id_number_masked

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str) -> tuple[QuerySet, bool]:
        found = search_by_id_number(queryset, search_term, field="person_id")
        if found is not None:
            return found, False
        return super().get_search_results(request, queryset, search_term)


@admin.register(AttendanceRecord)
class AttendanceRecordAdmin(ViewOnlyAdmin):
    list_display = ("enrolment", "session_date", "present", "hours")
    list_filter = ("present",)
    date_hierarchy = "session_date"
