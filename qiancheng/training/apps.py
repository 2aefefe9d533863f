"""The training app: classes, real-name enrolment, attendance and roster imports."""

from __future__ import annotations

from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "qiancheng.training"
    label = "training"
    verbose_name = "培训 Training"

    def ready(self) -> None:
        from django.apps import apps

        from qiancheng.accounts.scope import register
        from qiancheng.projects.delivery import register_delivery, register_record
        from qiancheng.training.project_delivery import DELIVERY, institution_record

        # Projects sit below training: they read how their classes deliver them through this hook.
        register_delivery(DELIVERY)
        register_record("training", institution_record)

        # A roster import belongs where its class belongs; trainees never see the job itself.
        register(
            apps.get_model("training", "ImportJob"),
            city="training_class__city",
            institution="training_class__institution",
            enterprise="training_class__project__applicant",
        )
        # A city's attendance threshold is its own; institutions read it through the class page.
        register(apps.get_model("training", "AttendanceThreshold"), city="city")
        # Follow-up after a class (1e): the class's city and institution, and the trainee themselves.
        register(apps.get_model("training", "EmploymentFollowUp"), city="enrolment__training_class__city",
                 institution="enrolment__training_class__institution", person="person")
