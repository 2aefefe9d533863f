from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="second_factor",
            field=models.CharField(
                blank=True,
                default="",
                help_text="the device (django-otp persistent id) whose code was given when the token was issued; "
                "an official's token without one is refused (accounts/second_factor.py)",
                max_length=64,
            ),
        ),
    ]
