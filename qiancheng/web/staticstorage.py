"""Static files with hashed names, compressed, cached for ten years; plain names until they are collected.

`collectstatic` (run by `qiancheng serve`, and so by `qiancheng demo`) writes every file under a name that
carries its content hash, with gzip and brotli copies beside it, and a manifest. WhiteNoise serves a hashed
name with `Cache-Control: max-age=315360000, public, immutable`: a browser fetches each file once per release.

Before any collectstatic (the test suite, a bare `qiancheng runserver`) there is no manifest: instead of
Django's "Missing staticfiles manifest entry" error the page links the plain name, which WhiteNoise serves
from the apps' static folders (WHITENOISE_USE_FINDERS) with its short default cache.
"""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedOrPlainStaticStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False

    def stored_name(self, name: str) -> str:
        try:
            return super().stored_name(name)
        except ValueError:  # not collected yet: the file is not in STATIC_ROOT to be hashed
            return name
