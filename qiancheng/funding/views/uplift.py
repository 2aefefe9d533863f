"""`/money/ai-uplift/`: each city's AI uplift (4.2) with its document; the province records a new entry."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from qiancheng.accounts.guards import signed_in_as
from qiancheng.accounts.models import Role
from qiancheng.funding.forms import AiUpliftForm
from qiancheng.funding.models.uplift import MAX_AI_UPLIFT
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.funding.services.uplift import set_ai_uplift, uplift_entries
from qiancheng.funding.views.common import OFFICIALS, refused


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in_as(OFFICIALS)
def ai_uplift(request: HttpRequest) -> HttpResponse:
    """Every city's entries, newest first; the province's form below. The service checks 4.2's 20%."""
    province = request.user.role == Role.PROVINCE_OFFICIAL
    form = AiUpliftForm(request.POST or None) if province else None
    if request.method == "POST":
        if form is None:
            messages.error(request, _("只有自治区人社厅可以设置上浮比例。"))
            return redirect("funding:ai_uplift")
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = set_ai_uplift(request.user, data["city"].code, data["uplift"], data["valid_from"],
                                      data["document"])
            except FundingRefused as refusal:
                refused(request, refusal)
            else:
                messages.success(request, _("已记录：%(city)s 自 %(day)s 起人工智能职业补贴标准上浮 %(percent)s%%（%(doc)s）。")
                                 % {"city": entry.city.name, "day": entry.valid_from.isoformat(),
                                    "percent": f"{entry.uplift * 100:.2f}".rstrip("0").rstrip("."),
                                    "doc": entry.document})
                return redirect("funding:ai_uplift")
    return render(request, "funding/ai_uplift.html", {"entries": uplift_entries(), "form": form,
                                                      "max_percent": int(MAX_AI_UPLIFT * 100)})
