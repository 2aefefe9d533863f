"""3.2's minimum class hours is a dated figure of the plan (policy/parameters/plan_figures.yaml): the approval
service checks it on the class's last day, so the constraint that stated 28 a second time goes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0006_choice_labels_chinese_msgids"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="trainingclass",
            name="class_special_ability_28_hours_to_approve",
        ),
    ]
