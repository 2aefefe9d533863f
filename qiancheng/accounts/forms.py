from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150, widget=forms.TextInput(
        attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label=_("密码"), max_length=256, strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "current-password"}))


class SecondFactorCodeForm(forms.Form):
    """The six-digit code of the authenticator app, or (on the sign-in step) one recovery code."""

    code = forms.CharField(label=_("验证码"), max_length=32, widget=forms.TextInput(
        attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text", "spellcheck": "false"}))


class SecondFactorResetForm(forms.Form):
    reason = forms.CharField(label=_("重置原因"), max_length=500, widget=forms.TextInput(
        attrs={"placeholder": _("例如：手机遗失，已电话核实本人")}))
