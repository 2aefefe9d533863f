"""The park list becomes dated data with sources (4.1): the two shipped parks get their source document,
and the two placeholder rows earlier releases shipped ("待自治区人社厅确定", no city) are ended, not deleted
(fund accounts or enterprises may point at them). The province enters the other parks on its page."""

import datetime

from django.db import migrations

PLACEHOLDERS = ("border_port_3", "border_port_4")
ENDED_NOTE = "早期版本的占位行，已停用；请在园区名单页录入正式园区 / placeholder of an earlier release, ended; enter the real park on the park list page"


def forwards(apps, schema_editor):
    from qiancheng.catalog import shipped

    park = apps.get_model("catalog", "IndustrialPark")
    for record in shipped.industrial_parks():
        park.objects.filter(code=record.code, source_document="").update(source_document=record.source_document)
    park.objects.filter(code__in=PLACEHOLDERS, is_confirmed=False, city__isnull=True).update(
        is_active=False, valid_to=datetime.date(2025, 1, 1), note=ENDED_NOTE)


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0002_park_source_document_and_period"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
