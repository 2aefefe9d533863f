# The blacklist is now sanctions.BlacklistEntry (sanctions 0001 adopted the table): risk forgets the
# model without dropping the table (SeparateDatabaseAndState, no SQL). Written by hand.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('risk', '0001_initial'),
        ('sanctions', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='BlacklistEntry')],
            database_operations=[],
        ),
    ]
