"""Forms of the Secretariat's pages: upload a definition, publish it, open a cycle, extend.

Forms only read and shape what the browser sent; every decision is the services' (publishing,
periods, dates, audiences). No form carries a status, an owner or an id beyond the route's.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileSize
from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

MEBIBYTE = 1024 * 1024
MAX_DEFINITION_BYTES = MEBIBYTE
MAX_FILE_NAME = 200


def normalise_source(text: str) -> str:
    """Line ends as the command line reads files (browsers send CRLF from a textarea)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _at_most_one_mebibyte(form: FlaskForm, field: Any) -> None:
    if field.data and len(field.data.encode("utf-8")) > MAX_DEFINITION_BYTES:
        raise ValidationError(_l("The definition is larger than 1 MiB."))


class UploadForm(FlaskForm):
    """A YAML definition as a file or pasted text (the file wins when both are given)."""

    file = FileField(
        _l("YAML file"),
        validators=[FileSize(MAX_DEFINITION_BYTES, message=_l("The file is larger than 1 MiB."))],
    )
    text = TextAreaField(_l("or paste the YAML"), validators=[Optional(), _at_most_one_mebibyte])

    def source(self) -> tuple[str, str] | None:
        """(file name, text) of what was sent, or None with an error on the form."""
        upload = self.file.data
        if upload is not None and getattr(upload, "filename", ""):
            data = upload.read(MAX_DEFINITION_BYTES + 1)
            if len(data) > MAX_DEFINITION_BYTES:
                self.file.errors = [*self.file.errors, str(_l("The file is larger than 1 MiB."))]
                return None
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                self.file.errors = [*self.file.errors, str(_l("The file is not UTF-8 text."))]
                return None
            name = upload.filename.replace("\\", "/").rsplit("/", 1)[-1][:MAX_FILE_NAME]
            return name or "<upload>", normalise_source(text)
        if self.text.data and self.text.data.strip():
            return "<pasted>", normalise_source(self.text.data)
        self.text.errors = [*self.text.errors, str(_l("Choose a YAML file or paste a definition."))]
        return None


class PublishForm(FlaskForm):
    """The checked source travels back with the Publish button; the service checks it again."""

    source = HiddenField(
        validators=[DataRequired(), _at_most_one_mebibyte],
        filters=[lambda text: normalise_source(text) if isinstance(text, str) else text],
    )
    """Browsers send every line end of a form value as CRLF: published sources keep LF."""
    file_name = HiddenField(validators=[Optional(), Length(max=MAX_FILE_NAME)])
    lang = SelectField(_l("Preview language"), choices=[], validate_choice=False)


class OpenCycleForm(FlaskForm):
    version = SelectField(_l("Questionnaire version"), validators=[InputRequired()])
    period = StringField(
        _l("Period"),
        validators=[DataRequired(), Length(max=32)],
        description=_l("2026 (annual), 2026-Q1 (quarterly), 2026-2027 (biennial), or a label"),
    )
    opens_on = DateField(_l("Opens on"), validators=[InputRequired()])
    closes_on = DateField(_l("Closes on"), validators=[InputRequired()])
    asked = RadioField(
        _l("Organisations asked"),
        choices=[
            SelectChoice("audience", _l("Every organisation of the questionnaire's audience")),
            SelectChoice("chosen", _l("Only the organisations chosen below")),
        ],
        default="audience",
    )
    organisations = SelectMultipleField(
        _l("Organisations"),
        choices=[],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    def validate_organisations(self, field: SelectMultipleField) -> None:
        if self.asked.data == "chosen" and not field.data:
            raise ValidationError(_l("Choose at least one organisation."))


class ExtendForm(FlaskForm):
    until = DateField(_l("New closing date"), validators=[InputRequired()])
