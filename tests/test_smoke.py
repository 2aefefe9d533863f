from django.conf import settings


def test_settings_load_with_sqlite_in_wal_mode_by_default():
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        assert "journal_mode=WAL" in settings.DATABASES["default"]["OPTIONS"]["init_command"]
    assert settings.AUTH_USER_MODEL == "accounts.User"
