"""3.2's minimum class hours is a dated figure of the plan (policy/parameters/plan_figures.yaml): a new item
starts at the figure in force and the model's validation refuses fewer; the constraint that stated 28 a
second time goes."""

from django.db import migrations, models

import qiancheng.catalog.models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_parks_shipped_with_their_documents"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="specialabilityitem",
            name="catalog_special_item_min_28_hours",
        ),
        migrations.AlterField(
            model_name="specialabilityitem",
            name="min_hours",
            field=models.PositiveSmallIntegerField(
                default=qiancheng.catalog.models.plan_min_hours,
                help_text="计划 3.2：不低于规定课时 / clause 3.2: at least the plan's minimum class hours",
                verbose_name="最低课时 minimum class hours",
            ),
        ),
    ]
