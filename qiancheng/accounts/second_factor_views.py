"""The second factor's pages: the code after the password, enrolment by QR code, recovery codes, and the
province's reset of a city official's authenticator. The rules live in `second_factor.py`."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from qiancheng.accounts import second_factor
from qiancheng.accounts.forms import SecondFactorCodeForm, SecondFactorResetForm
from qiancheng.accounts.guards import signed_in_as
from qiancheng.accounts.models import Role, User

# The clear recovery codes between the POST that made them and the one page that shows them.
FRESH_CODES = "qiancheng.recovery_codes"


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(candidate, {request.get_host()}, require_https=request.is_secure())
    return candidate if safe else "/"


def _locked_message(until: dt.datetime) -> str:
    return _("验证码错误次数过多，已暂时锁定，请于 %(time)s 后再试。") % {
        "time": timezone.localtime(until).strftime("%H:%M")}


def _show_codes_once(request: HttpRequest, codes: list[str]) -> HttpResponse:
    request.session[FRESH_CODES] = codes
    return redirect("accounts:second_factor_recovery_codes")


@sensitive_post_parameters("code")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code of the authenticator app, or one recovery code."""
    user: User = request.user  # type: ignore[assignment]
    if second_factor.session_verified(request) or not second_factor.required_for(user):
        return redirect(_next_url(request))
    if second_factor.confirmed_totp(user) is None:
        return redirect(f"{reverse('accounts:second_factor_enrol')}?{urlencode({'next': _next_url(request)})}")
    form = SecondFactorCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        check = second_factor.verify_code(user, form.cleaned_data["code"], request)
        if check.device is not None:
            request.session.cycle_key()
            otp_login(request, check.device)
            if check.recovery_codes_left is not None:
                messages.warning(request, _("已使用一个恢复码，还剩 %(left)d 个。恢复码用完前请重新生成。")
                                 % {"left": check.recovery_codes_left})
            return redirect(_next_url(request))
        if check.locked_until is not None:
            form.add_error(None, _locked_message(check.locked_until))
            status = 429
        else:
            form.add_error(None, _("验证码错误，请重新输入。"))
            status = 401
    return render(request, "accounts/second_factor_verify.html",
                  {"form": form, "next": _next_url(request)}, status=status)


@sensitive_post_parameters("code")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Scan the QR code (or type the secret) into an authenticator app, then confirm with its first code."""
    user: User = request.user  # type: ignore[assignment]
    if second_factor.confirmed_totp(user) is not None:
        return redirect("accounts:second_factor")
    device: TOTPDevice = second_factor.start_enrolment(user)
    form = SecondFactorCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        check = second_factor.confirm_enrolment(user, form.cleaned_data["code"], request)
        if check.device is not None:
            request.session.cycle_key()
            otp_login(request, check.device)
            request.session["qiancheng.after_codes"] = _next_url(request)
            return _show_codes_once(request, check.recovery_codes)
        if check.locked_until is not None:
            form.add_error(None, _locked_message(check.locked_until))
            status = 429
        else:
            form.add_error(None, _("验证码不正确：请确认手机时间准确，并输入应用中当前显示的六位数字。"))
            status = 401
    return render(request, "accounts/second_factor_enrol.html", {
        "form": form, "next": _next_url(request), "qr_svg": second_factor.qr_svg(device),
        "secret": second_factor.secret_base32(device), "enforced": second_factor.enforced_for(user),
    }, status=status)


@never_cache
@login_required
@require_http_methods(["GET"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The ten new recovery codes, shown this once (they are kept only as keyed hashes)."""
    codes = request.session.pop(FRESH_CODES, None)
    if not codes:
        return redirect("accounts:second_factor")
    after = request.session.pop("qiancheng.after_codes", None) or "/"
    return render(request, "accounts/second_factor_recovery_codes.html", {"codes": codes, "after": after})


@never_cache
@login_required
@require_http_methods(["GET"])
def manage(request: HttpRequest) -> HttpResponse:
    """Whether the second factor is on, how many recovery codes are left, and what can be done."""
    user: User = request.user  # type: ignore[assignment]
    device = second_factor.confirmed_totp(user)
    return render(request, "accounts/second_factor.html", {
        "device": device, "codes_left": second_factor.recovery_codes_left(user),
        "enforced": second_factor.enforced_for(user), "is_province": user.role == Role.PROVINCE_OFFICIAL,
    })


@login_required
@require_POST
def regenerate(request: HttpRequest) -> HttpResponse:
    codes = second_factor.regenerate_recovery_codes(request.user, request)  # type: ignore[arg-type]
    return _show_codes_once(request, codes)


@login_required
@require_POST
def remove(request: HttpRequest) -> HttpResponse:
    """Someone who turned it on by choice turns it off (officials are refused: 403)."""
    second_factor.remove_own_second_factor(request.user, request)  # type: ignore[arg-type]
    messages.info(request, _("已关闭两步验证。"))
    return redirect("accounts:second_factor")


@never_cache
@signed_in_as({Role.PROVINCE_OFFICIAL})
@require_http_methods(["GET"])
def officials(request: HttpRequest) -> HttpResponse:
    """The province's list of the other officials, whether each has an authenticator, and a reset for each."""
    others = (User.objects.filter(role__in=second_factor.ENFORCED_ROLES).exclude(pk=request.user.pk)
              .select_related("city").order_by("-role", "city_id", "username"))
    enrolled = dict(TOTPDevice.objects.filter(user__in=others, confirmed=True).values_list("user_id", "last_used_at"))
    rows = [{"user": each, "enrolled": each.pk in enrolled, "last_used_at": enrolled.get(each.pk)} for each in others]
    return render(request, "accounts/second_factor_officials.html", {"rows": rows})


@signed_in_as({Role.PROVINCE_OFFICIAL}, hide=True)
@require_POST
def reset(request: HttpRequest, user_id: int) -> HttpResponse:
    target = User.objects.filter(pk=user_id).first()
    if target is None or not second_factor.may_reset(request.user, target):  # type: ignore[arg-type]
        raise Http404
    form = SecondFactorResetForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请说明重置原因。"))
        return redirect("accounts:second_factor_officials")
    try:
        second_factor.reset_second_factor(request.user, target, form.cleaned_data["reason"], request)  # type: ignore[arg-type]
    except ValueError:
        messages.error(request, _("请说明重置原因。"))
        return redirect("accounts:second_factor_officials")
    messages.success(request, _("已重置 %(name)s 的两步验证；其下次登录时需重新设置。") % {"name": target.display_name})
    return redirect("accounts:second_factor_officials")
