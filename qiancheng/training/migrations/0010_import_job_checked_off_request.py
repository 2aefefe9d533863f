from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0009_employment_follow_up"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="sealed_upload",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.AddField(
            model_name="importjob",
            name="check_task_id",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
    ]
