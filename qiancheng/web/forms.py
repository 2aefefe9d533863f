"""Forms that say what to do, like GOV.UK's: one error summary at the top, messages that name the field.

`PlainForm` is a mixin for every form a page shows (`class ClassForm(PlainForm, forms.Form)`):

- a required field left empty says "请填写班级名称" (a choice: "请选择培训类型"), not "这个字段是必填项。";
- a number, date or e-mail that does not read says which field and what is wanted;
- a select starts with "请选择…", never "---------";
- `form.error_summary` lists (field id, message) for `web/_error_summary.html`, which links each message to
  its field and is the page's one `role=alert` (web/static/web/error_summary.js moves focus to it).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

CHOOSE = _("请选择…")


def _is_choice(field: forms.Field) -> bool:
    return isinstance(field, forms.ChoiceField | forms.ModelChoiceField | forms.ModelMultipleChoiceField)


def _messages(field: forms.Field, label: str) -> dict[str, str]:
    """The error messages of one field, each naming it."""
    if _is_choice(field):
        found = {"required": _("请选择%(label)s") % {"label": label},
                 "invalid_choice": _("请从列表中选择%(label)s") % {"label": label}}
    elif isinstance(field, forms.FileField):
        found = {"required": _("请选择要上传的%(label)s文件") % {"label": label},
                 "invalid": _("%(label)s不是可读取的文件，请重新选择") % {"label": label},
                 "empty": _("%(label)s文件是空的，请重新选择") % {"label": label}}
    else:
        found = {"required": _("请填写%(label)s") % {"label": label}}
    if isinstance(field, forms.DateField):
        found["invalid"] = _("%(label)s应为日期，例如2026-10-01") % {"label": label}
    elif isinstance(field, forms.DecimalField | forms.FloatField):
        found["invalid"] = _("%(label)s应为数字，例如1800.00") % {"label": label}
    elif isinstance(field, forms.IntegerField):
        found["invalid"] = _("%(label)s应为整数") % {"label": label}
    elif isinstance(field, forms.EmailField):
        found["invalid"] = _("%(label)s应为电子邮箱地址，例如name@example.cn") % {"label": label}
    return found


def plain_field(field: forms.Field) -> None:
    """Give one field the plain messages and the "请选择…" first option."""
    label = str(field.label or "")
    if label:
        field.error_messages.update(_messages(field, label))
    if isinstance(field, forms.ModelChoiceField) and field.empty_label is not None:
        field.empty_label = CHOOSE
    elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        field.choices = [(value, CHOOSE if value == "" and str(text).strip("-") == "" else text)
                         for value, text in field.choices]


class PlainForm:
    """Mixin: plain messages on every field, and the error summary. Put it before forms.Form in the bases."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():
            plain_field(field)

    @property
    def error_summary(self) -> list[tuple[str, str]]:
        """(the field's id to link to, its message), in the form's order; "" for a message about the whole form."""
        form: Any = self
        found = [("", str(message)) for message in form.non_field_errors()]
        for bound in form:
            found += [(bound.id_for_label or bound.auto_id or "", str(message)) for message in bound.errors]
        return found
