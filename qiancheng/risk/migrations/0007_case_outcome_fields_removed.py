"""The case's single outcome, reason, number, recovery and listing are gone: its decisions hold them (0006)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('risk', '0006_case_outcomes_become_decisions'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='case',
            name='decision_reason',
        ),
        migrations.RemoveField(
            model_name='case',
            name='document_ref',
        ),
        migrations.RemoveField(
            model_name='case',
            name='listing',
        ),
        migrations.RemoveField(
            model_name='case',
            name='outcome',
        ),
        migrations.RemoveField(
            model_name='case',
            name='recovery',
        ),
        migrations.AddConstraint(
            model_name='case',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('closed_at__isnull', True), ('closed_by__isnull', True), ('status', 'open')), models.Q(('closed_at__isnull', False), ('closed_by__isnull', False), ('status', 'closed')), _connector='OR'), name='risk_case_closed_iff_closed_by'),
        ),
    ]
