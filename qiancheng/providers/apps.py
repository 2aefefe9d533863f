"""The providers app: training institutions, their documents, venues, teachers and scopes."""

from __future__ import annotations

from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "qiancheng.providers"
    label = "providers"
    verbose_name = "培训机构 Institutions"

    def ready(self) -> None:
        from django.apps import apps

        from qiancheng.accounts.scope import register
        from qiancheng.providers.services import follow_lifting, follow_listing
        from qiancheng.sanctions.signals import listing_lifted, party_listed

        # The sanctions register sits below providers: it says when it lists or lifts, the status follows.
        party_listed.connect(follow_listing, dispatch_uid="providers.follow_listing")
        listing_lifted.connect(follow_lifting, dispatch_uid="providers.follow_lifting")

        # An institution's papers and venues are seen where the institution is: its city and itself.
        for model_name in ("InstitutionDocument", "Venue"):
            register(apps.get_model("providers", model_name), city="institution__city", institution="institution")
