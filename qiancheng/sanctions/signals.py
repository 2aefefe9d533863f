"""What the register tells the apps above it, inside the transaction of the listing or the lifting.

The register imports no app above it; an app that keeps its own state in step with a listing (providers:
an institution's status 列入黑名单) connects a receiver in its AppConfig.ready. A receiver that raises
undoes the whole change, the listing included.
"""

from __future__ import annotations

from django.dispatch import Signal

# sender=BlacklistEntry; kwargs: entry, actor, reason.
party_listed = Signal()
# sender=BlacklistEntry; kwargs: entry, actor, reason. Listings of one party never overlap, so after a
# lifting only a listing that starts later can still bar the party (read from the register on its day).
listing_lifted = Signal()
