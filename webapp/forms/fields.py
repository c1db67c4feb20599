"""WTForms fields that keep exactly what was typed, for forms compiled from definitions.

A questionnaire form never loses input: every field holds the raw text (or list of texts) the
person sent, whatever it is, and the conversion to answers happens afterwards, in one place
(`webapp.forms.builders`), with the engine deciding what is valid. So these fields have no
validators and no coercion; they are rendered by the Jinja macros of
`templates/respond/_questions.html`, not by WTForms widgets.

`GroupField` (a matrix, a grid, a grid row) and `RepeatField` (the items of a repeat) nest plain
`BaseForm`s: `FormField` would pass a dict's keys as keyword arguments, and a row or question
named `meta` or `prefix` would collide with them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from wtforms import Field
from wtforms.fields.core import UnboundField
from wtforms.form import BaseForm
from wtforms.utils import unset_value

FieldSpec = tuple[str, UnboundField]
ITEM_MARKER = "ITEM"
"""A hidden input in every repeat item, so an item whose radios are all unticked still posts.
Upper case: never a question id, so it cannot collide with a member."""
MAX_ITEMS = 200
"""At most this many repeat items are read from one post, whatever `max_items` says."""


class RawField(Field):
    """One input's text, as sent ("" when absent)."""

    def process_data(self, value: Any) -> None:
        self.data = "" if value is None or value is unset_value else value

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = valuelist[0] if valuelist else ""

    def _value(self) -> str:
        return self.data if isinstance(self.data, str) else ""


class RawListField(Field):
    """The values of checkboxes sharing a name, as sent ([] when none is ticked)."""

    def process_data(self, value: Any) -> None:
        self.data = list(value) if isinstance(value, list | tuple) else []

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = list(valuelist)


class _Nested(BaseForm):
    """A form inside a field, named `<parent>-<name>`."""

    def __init__(self, fields: Sequence[FieldSpec], prefix: str, meta: Any) -> None:
        super().__init__(fields, prefix=prefix, meta=meta)


class GroupField(Field):
    """A fixed set of named sub-fields; `data` is `{name: raw}`."""

    def __init__(self, members: Sequence[FieldSpec] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.members = tuple(members)
        self._form: _Nested | None = None  # bound in process(): once, not twice (grids nest)

    @property
    def form(self) -> _Nested:
        if self._form is None:
            self._form = _Nested(self.members, self.name + "-", self.meta)
        return self._form

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        self._form = _Nested(self.members, self.name + "-", self.meta)
        self._form.process(formdata, data=data if isinstance(data, Mapping) else None)

    @property
    def data(self) -> dict[str, Any]:  # type: ignore[override]
        return self.form.data

    @data.setter
    def data(self, value: Any) -> None:
        pass  # set through process()

    def __getitem__(self, name: str) -> Field:
        return self.form[name]

    def __iter__(self) -> Iterator[Field]:
        return iter(self.form)


class RepeatField(Field):
    """The items of a repeat, each a form of the member fields named `<name>-<index>-<member>`.

    Posted items are read in index order (gaps allowed, at most MAX_ITEMS); items given as data
    are numbered 0, 1, 2... so a re-rendered form always has contiguous names.
    """

    def __init__(self, members: Sequence[FieldSpec] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.members = (*members, (ITEM_MARKER, UnboundField(RawField)))
        self.entries: list[_Nested] = []

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        self.entries = []
        if formdata is not None:
            for index in self._posted_indices(formdata):
                entry = _Nested(self.members, f"{self.name}-{index}-", self.meta)
                entry.process(formdata)
                self.entries.append(entry)
            return
        items = data if isinstance(data, list) else []
        for index, item in enumerate(items[:MAX_ITEMS]):
            entry = _Nested(self.members, f"{self.name}-{index}-", self.meta)
            entry.process(None, data=item if isinstance(item, Mapping) else {})
            self.entries.append(entry)

    def _posted_indices(self, formdata: Any) -> list[int]:
        pattern = re.compile(re.escape(self.name) + r"-([0-9]{1,6})-")
        indices = set()
        for key in formdata:
            match = pattern.match(key)
            if match:
                indices.add(int(match.group(1)))
        return sorted(indices)[:MAX_ITEMS]

    @property
    def data(self) -> list[dict[str, Any]]:  # type: ignore[override]
        return [{k: v for k, v in entry.data.items() if k != ITEM_MARKER} for entry in self.entries]

    @data.setter
    def data(self, value: Any) -> None:
        pass  # set through process()
