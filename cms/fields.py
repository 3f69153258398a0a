"""A list of short strings stored as JSON, edited as checkboxes or as lines of text.

The matching engine reads these lists straight into pandas; editors tick boxes
(when the items have choices) or type one item per line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.db import models


class LinesFormField(forms.CharField):
    """Free-text list: one item per line (commas and spaces also separate codes)."""

    def __init__(self, *, split_on_spaces: bool = False, **kwargs: Any) -> None:
        self.split_on_spaces = split_on_spaces
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 4}))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(str(item) for item in value)
        return value

    # A CharField that cleans to a list of lines, not to one string.
    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, list | tuple):
            return [str(v).strip() for v in value if str(v).strip()]
        text = super().to_python(value) or ""
        pattern = r"[\n,，;；\s]+" if self.split_on_spaces else r"[\n\r]+"
        return [item.strip() for item in re.split(pattern, text) if item.strip()]

    def validate(self, value: Any) -> None:
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def has_changed(self, initial: Any, data: Any) -> bool:
        return self.to_python(initial or []) != self.to_python(data or "")


class ListField(models.JSONField):
    """JSON list of strings; ``item_choices`` (a callable) makes it a checkbox list."""

    def __init__(
        self,
        *args: Any,
        item_choices: Callable[[], Sequence[tuple[str, Any]]] | None = None,
        split_on_spaces: bool = False,
        **kwargs: Any,
    ) -> None:
        self.item_choices = item_choices
        self.split_on_spaces = split_on_spaces
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        if self.item_choices is not None:
            kwargs["item_choices"] = self.item_choices
        if self.split_on_spaces:
            kwargs["split_on_spaces"] = True
        return name, path, args, kwargs

    def formfield(self, **kwargs: Any) -> forms.Field:
        common = {
            "required": not self.blank,
            "label": kwargs.get("label", self.verbose_name),
            "help_text": kwargs.get("help_text", self.help_text),
        }
        if self.item_choices is not None:
            return forms.TypedMultipleChoiceField(
                choices=self.item_choices,
                widget=forms.CheckboxSelectMultiple,
                **common,
            )
        return LinesFormField(split_on_spaces=self.split_on_spaces, **common)
