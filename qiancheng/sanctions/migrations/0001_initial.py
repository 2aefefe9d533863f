# The blacklist moves from risk to sanctions without touching its rows: this migration only adopts the
# existing table `risk_blacklistentry` into sanctions' state (no SQL); risk 0002 drops it from risk's
# state, and sanctions 0002 renames the table. Written by hand (SeparateDatabaseAndState).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('people', '0001_initial'),
        ('providers', '0001_initial'),
        ('risk', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='BlacklistEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('listed_from', models.DateField()),
                        ('listed_until', models.DateField(blank=True, help_text='last day listed; empty = still listed', null=True)),
                        ('reason', models.TextField()),
                        ('document_ref', models.CharField(blank=True, default='', help_text='处理决定文号', max_length=128)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('institution', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='blacklist_entries', to='providers.institution')),
                        ('person', models.ForeignKey(blank=True, db_column='person_key', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='blacklist_entries', to='people.person')),
                    ],
                    options={
                        'verbose_name': '黑名单 blacklist entry',
                        'ordering': ['-listed_from'],
                        'db_table': 'risk_blacklistentry',
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('institution__isnull', True), ('person__isnull', False)), models.Q(('institution__isnull', False), ('person__isnull', True)), _connector='OR'), name='blacklist_exactly_one_party'), models.CheckConstraint(condition=models.Q(('listed_until__isnull', True), ('listed_until__gte', models.F('listed_from')), _connector='OR'), name='blacklist_until_not_before_from'), models.CheckConstraint(condition=models.Q(('reason', ''), _negated=True), name='blacklist_has_reason')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
