"""Login and logout pages. The rules (lockout, audit) live in services.attempt_login."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from qiancheng.accounts.forms import LoginForm
from qiancheng.accounts.services import attempt_login, record_logout


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(candidate, {request.get_host()}, require_https=request.is_secure())
    return candidate if safe else "/"


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("portal:home")
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        outcome = attempt_login(request, form.cleaned_data["username"], form.cleaned_data["password"])
        if outcome.user is not None:
            login(request, outcome.user)
            return HttpResponseRedirect(_next_url(request))
        if outcome.locked_until is not None:
            until = timezone.localtime(outcome.locked_until).strftime("%H:%M")
            form.add_error(None, _("登录失败次数过多，已暂时锁定，请于 %(time)s 后再试。") % {"time": until})
            status = 429
        else:
            form.add_error(None, _("用户名或密码错误。"))
            status = 401
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request)}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record_logout(request.user, request)
    logout(request)
    messages.info(request, _("已退出登录。"))
    return redirect("portal:home")
