"""Forms: the shape of what a page accepts. The actions check what depends on the records
(a check-in before the injection, an override without a reason) and their problems are put beside the
same fields (``add_problems``)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zoneinfo
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator, RegexValidator
from django.http import HttpRequest

from prpath.accounts.models import User, normal_email
from prpath.clinic.actions.checkins import CheckInReport, RefusedCheckIn
from prpath.clinic.actions.patients import Enrolment
from prpath.clinic.actions.procedures import ProcedureRecord
from prpath.clinic.actions.screening import RefusedScreening, ScreeningAnswers
from prpath.clinic.actions.staff import NewStaff
from prpath.clinic.models import Activation, Clinic, ImageGuidance, Leukocytes, Role, Sex, Side
from prpath.core.notes import NoteQuestion, answered, note_questions
from prpath.core.problems import ProblemsFound
from prpath.core.protocol.schema import UNGRADED_YES, Candidacy, PainTrend, Protocol, as_asked

SEVERITY_CHOICES = [("", "No"), ("mild", "Mild"), ("moderate", "Moderate"), ("severe", "Severe")]
# A red flag (bladder control, breathing) is asked yes or no; a yes is stored as moderate, the convention for
# a symptom reported without a grade (see Symptom.graded in the protocol).
YES_NO_CHOICES = [("", "No"), (UNGRADED_YES.value, "Yes")]
SYMPTOM_PREFIX = "symptom__"
ASK_PREFIX = "ask__"  # the patient's answer to a question about their note, per symptom code
ASKED = "asked"  # the symptom codes whose question the page has shown
SEVERITIES = frozenset(value for value, _ in SEVERITY_CHOICES if value)
SAYS_YES = frozenset({"yes", "y", "on", "true", "1"})


class YesNoSymptomField(forms.ChoiceField):
    """A red flag, asked yes or no. A grade sent for it (a page drawn when the protocol graded it) is a
    yes: refusing it would draw the question again with nothing chosen, and the yes could be lost."""

    def to_python(self, value: Any) -> str:
        text: str = super().to_python(value)
        return UNGRADED_YES.value if text in SEVERITIES else text


def add_problems(form: forms.Form, found: ProblemsFound) -> None:
    """Put each problem a service found beside its field (or at the top when it names no field)."""
    for problem in found.problems:
        field = problem.location if problem.location in form.fields else None
        if field is None and problem.location == "symptoms":
            field = next((name for name in form.fields if name.startswith(SYMPTOM_PREFIX)), None)
        message = problem.message
        if field is not None and message.startswith(("is ", "are ", "must ")):  # "is required" -> "Note is required"
            message = f"{form.fields[field].label or field.replace('_', ' ').capitalize()} {message}"
        # A problem with no field of its own (the alert's state, the invitation) reads as a sentence.
        form.add_error(field, message[:1].upper() + message[1:])


class SymptomFieldsMixin:
    """One "No / Mild / Moderate / Severe" choice per symptom, grouped as the protocol groups them."""

    fields: dict[str, forms.Field]

    def add_symptom_fields(self, protocol: Protocol, *, skip_groups: tuple[str, ...] = ()) -> None:
        for symptom in protocol.symptoms:
            if symptom.group in skip_groups:
                continue
            self.fields[SYMPTOM_PREFIX + symptom.code] = (forms.ChoiceField if symptom.graded else YesNoSymptomField)(
                label=symptom.label[:1].upper() + symptom.label[1:],
                choices=SEVERITY_CHOICES if symptom.graded else YES_NO_CHOICES,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "severity"}),
            )
        self._protocol = protocol

    def readable_symptoms(self) -> dict[str, str]:
        """After a refusal, every symptom answer that says something, as the protocol asks it.

        Read from what was sent, not from the fields that passed: a red flag sent as "yes" (or any answer
        a field refused) must still count when the rest of the form is triaged for an emergency."""
        data: Any = self.data  # type: ignore[attr-defined]
        said: dict[str, str] = {}
        for symptom in self._protocol.symptoms:
            if SYMPTOM_PREFIX + symptom.code not in self.fields:
                continue  # not asked here (the injection site, before any injection)
            raw = data.get(SYMPTOM_PREFIX + symptom.code)
            value = raw.strip().lower() if isinstance(raw, str) else ""
            if value in SEVERITIES:
                said[symptom.code] = value
            elif value in SAYS_YES and not symptom.graded:
                said[symptom.code] = UNGRADED_YES.value
        return as_asked(self._protocol, said)

    def symptom_groups(self) -> Iterator[tuple[str, str, list[Any]]]:
        bound = self  # a django Form: indexing gives the bound field
        for group in self._protocol.symptom_groups:
            fields = [
                bound[SYMPTOM_PREFIX + s.code]  # type: ignore[index]
                for s in self._protocol.symptoms
                if s.group == group.code and SYMPTOM_PREFIX + s.code in self.fields
            ]
            if fields:
                yield group.code, group.label, fields

    def start_symptoms_from(self, symptoms: dict[str, str]) -> None:
        """Prefill the symptom questions with answers given before, as this protocol asks them."""
        initial: dict[str, Any] = self.initial  # type: ignore[attr-defined]
        initial.update({SYMPTOM_PREFIX + code: value for code, value in as_asked(self._protocol, symptoms).items()})

    def symptoms(self) -> dict[str, str]:
        data: dict[str, Any] = self.cleaned_data  # type: ignore[attr-defined]
        return {
            name.removeprefix(SYMPTOM_PREFIX): value
            for name, value in data.items()
            if name.startswith(SYMPTOM_PREFIX) and value
        }


class CommaDecimalField(forms.DecimalField):
    """A number typed as many thermometers and phone keyboards write it: 38,4 is read as 38.4.

    Its input is text, not type=number: a number field sends nothing for a number it cannot read
    ("38,4" where it expects a dot), so a fever would vanish without a word, and Chromium drops the
    comma as it is typed (384). The server reads both and names anything else beside the field.
    """

    widget = forms.TextInput

    def __init__(self, *args: Any, unit: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit = unit  # written after the number by some ("38.4 °C", "60 mL"): the field's own unit only

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]  # django-stubs: DecimalField
        if isinstance(value, str):
            value = value.strip()
            spellings = [self.unit, self.unit.removeprefix("°"), "°"] if self.unit.startswith("°") else [self.unit]
            for unit in filter(None, spellings):
                if value.lower().endswith(unit.lower()):
                    value = value[: -len(unit)].strip()
                    break
            if value.count(",") == 1 and "." not in value:
                value = value.replace(",", ".")
        result: Decimal | None = super().to_python(value)
        places = self.decimal_places
        if result is not None and result.is_finite() and places is not None:
            exponent = result.as_tuple().exponent
            if isinstance(exponent, int) and -exponent > places:
                try:
                    shorter = result.quantize(Decimal(1).scaleb(-places))
                except InvalidOperation:  # more digits than a Decimal holds: the validators name it
                    return result
                result = shorter if shorter == result else result  # 38.40 is 38.4; 38.45 is still refused
        return result

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "inputmode": "decimal", "autocomplete": "off"}


class TemperatureField(forms.Field):
    """A temperature typed in °C or °F, whichever the thermometer shows, and read as °C.

    "38,4", "38.4 °C", "101.5", "101.5F": a number with a unit is read in that unit; without one, a body
    temperature in °C (30-45) is °C and one in °F (86-113) is °F, which cannot be confused. Its input is
    text, not type=number: a number field sends nothing for a number it cannot read ("38,4" where it
    expects a dot), so a fever would vanish without a word. ``read_as`` says how it was read, when it was
    typed in °F: "101.5 °F", shown beside the stored °C."""

    widget = forms.TextInput

    def __init__(self, *args: Any, low: Decimal = Decimal(30), high: Decimal = Decimal(45), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.low, self.high = low, high
        self.read_as = ""

    def to_python(self, value: Any) -> Decimal | None:
        self.read_as = ""
        text = str(value or "").strip()
        if not text:
            return None
        number, unit = _split_unit(text)
        try:
            typed = Decimal(number)
        except InvalidOperation:
            raise ValidationError("Write it as a number, such as 37.5 (°C) or 99.5 (°F).", code="invalid") from None
        if not typed.is_finite() or abs(typed) >= 1000:
            raise ValidationError("Write it as a number, such as 37.5 (°C) or 99.5 (°F).", code="invalid")
        exponent = typed.normalize().as_tuple().exponent
        if isinstance(exponent, int) and exponent < -1:
            raise ValidationError(
                f"Write it with one decimal, as a thermometer shows it (not {number}).", code="places"
            )
        fahrenheit_range = to_fahrenheit(self.low) <= typed <= to_fahrenheit(self.high)
        if unit == "F" or (unit is None and not self.low <= typed <= self.high and fahrenheit_range):
            if not fahrenheit_range:
                raise ValidationError(
                    f"{number} °F is not a body temperature (°F runs from {to_fahrenheit(self.low):.0f} to "
                    f"{to_fahrenheit(self.high):.0f}): check the thermometer.",
                    code="range",
                )
            self.read_as = f"{typed.quantize(Decimal('0.1'))} °F"
            return ((typed - 32) * 5 / 9).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if not self.low <= typed <= self.high:
            raise ValidationError(
                f"{number} is not a body temperature in °C ({self.low:.0f} to {self.high:.0f}) or °F "
                f"({to_fahrenheit(self.low):.0f} to {to_fahrenheit(self.high):.0f}): check the thermometer.",
                code="range",
            )
        return typed.quantize(Decimal("0.1"))

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "inputmode": "decimal", "autocomplete": "off"}


_TEMPERATURE = re.compile(r"^([+-]?[0-9]+(?:[.,][0-9]+)?)\s*(°\s*[cCfF]?|[cCfF])?$")


def _split_unit(text: str) -> tuple[str, str | None]:
    """("38,4 °C") -> ("38.4", "C"); ("101.5F") -> ("101.5", "F"); ("38.4") -> ("38.4", None). Anything
    else ("3 8", "38.4 mL") is given back whole, to be refused as not a number."""
    match = _TEMPERATURE.match(text.strip().replace("º", "°"))  # º: the ordinal sign some keyboards offer for °
    if match is None:
        return text, None
    number, unit = match.group(1).replace(",", "."), (match.group(2) or "").replace("°", "").strip().upper()
    return number, unit or None


def readable_temperature(raw: object, low: Decimal, high: Decimal) -> Decimal | None:
    """What a refused temperature most likely meant, for triaging a refused form only (nothing is stored):
    38.45, "38,4 °C", "39C", and a Fahrenheit reading (101.5 or "101.5F") are read; anything else is None."""
    if not isinstance(raw, str):
        return None
    text = raw.strip().lower().replace(" ", "").replace("°", "")
    fahrenheit = text.endswith("f")
    text = text.removesuffix("f").removesuffix("c")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
        if not value.is_finite():
            return None
        if fahrenheit or (not low <= value <= high and to_fahrenheit(low) <= value <= to_fahrenheit(high)):
            value = (value - 32) * 5 / 9
        value = value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ArithmeticError):
        return None
    return value if low <= value <= high else None


def to_fahrenheit(celsius: Decimal) -> Decimal:
    return celsius * 9 / 5 + 32


class _CountedLength(MaxLengthValidator):
    """At most so many characters, said with the counts as the counter beside the box writes them."""

    def __call__(self, value: Any) -> None:
        used = len(value)
        if used > self.limit_value:
            raise ValidationError(
                f"This is {used:,} characters long; it can hold {self.limit_value:,}. "
                "Shorten it, then send again: nothing you typed is lost.",
                code="max_length",
            )


class NoteField(forms.CharField):
    """Free text in a person's own words, up to a limit shown as they type (static/web/counter.js).

    No maxlength on the box: a browser cuts a pasted text at it without a word, and the end of a note may be
    the part that matters. Over the limit the text comes back whole, with the count beside it. A line break
    counts as one character, as the counter counts it (a browser sends it as two)."""

    def __init__(self, *args: Any, most: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if most is not None:
            self.limit(most)

    def to_python(self, value: Any) -> str:
        text = super().to_python(value) or ""
        return text.replace("\r\n", "\n").replace("\r", "\n")

    def limit(self, most: int) -> None:
        self.max_length = most
        self.validators = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]
        self.validators.append(_CountedLength(most))
        self.widget.attrs["data-limit"] = str(most)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


class SentOnceForm(forms.Form):
    """A form whose page carries a one-time token: sent twice (a retry after a slow answer, a double tap),
    the action returns what the first one made and stores nothing new."""

    once = forms.UUIDField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": "This page is damaged or out of date: reload it, then send it again."},
    )

    # Whose record the page was shown for: a person with records at two clinics who switched clinic in
    # another tab must not have this page's answers filed at the other clinic.
    shown_for = forms.UUIDField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": "This page is damaged or out of date: reload it, then send it again."},
    )

    def __init__(self, *args: Any, record: uuid.UUID | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._record = record
        if not self.is_bound:
            self.initial.setdefault("once", uuid.uuid4())
            if record is not None:
                self.initial.setdefault("shown_for", record)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        sent = (cleaned or {}).get("shown_for")
        if self._record is not None and sent is not None and sent != self._record:
            raise ValidationError(
                "This page was opened for your record at another clinic, and you have switched clinic since: "
                "nothing was stored. Reload the page, then send it again."
            )
        return cleaned

    def add_error(self, field: str | None, error: Any) -> None:
        # The hidden fields: what is wrong with them is said at the top of the form.
        super().add_error(None if field in ("once", "shown_for") else field, error)


class CheckInForm(SymptomFieldsMixin, SentOnceForm):
    date = forms.DateField(label="Date", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    # Buttons, none chosen at first: a slider always has a value, and one left at yesterday's 10 sends 10.
    pain = forms.TypedChoiceField(
        label="How bad is your back pain right now?",
        help_text="0 means no pain, 10 the worst pain you can imagine.",
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "pain-choice"}),
        error_messages={
            "required": "Choose a number from 0 to 10: how your back is now.",
            "invalid_choice": "Choose a number from 0 to 10 (%(value)s is not one).",
        },
    )
    # The short way through: "No" sends the pain (and any note) with nothing else; "Yes" opens the groups.
    # Only a shortcut on the page: whatever symptoms are sent are read, whichever is chosen.
    anything_new = forms.ChoiceField(
        label="Anything new or worse since your last check-in?",
        choices=[("no", "No, nothing new"), ("yes", "Yes")],
        required=False,
        widget=forms.RadioSelect,
    )
    temperature_c = TemperatureField(
        label="Temperature (if you took it)",
        help_text="In °C or °F, as your thermometer shows it: 37.5 and 99.5 are both read.",
        required=False,
        widget=forms.TextInput(attrs={"size": "7"}),
    )
    note = NoteField(
        label="Anything else you want the clinic to know?",
        help_text="In your own words. The clinic reads every note.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, protocol: Protocol, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limits = protocol.limits
        self._temperatures = Decimal(str(limits.temperature_c_min)), Decimal(str(limits.temperature_c_max))
        self._note_limit = protocol.note_limit
        note = self.fields["note"]
        assert isinstance(note, NoteField)
        note.limit(self._note_limit)
        _choices(self.fields["pain"], [(str(n), str(n)) for n in range(limits.pain_min, limits.pain_max + 1)])
        temperature = self.fields["temperature_c"]
        assert isinstance(temperature, TemperatureField)
        temperature.low, temperature.high = self._temperatures
        self.fields["date"].initial = today
        self.fields["date"].widget.attrs["max"] = today.isoformat()
        self.add_symptom_fields(protocol)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if "temperature_c" in self.errors:
            guess = readable_temperature(self.data.get("temperature_c"), *self._temperatures)
            if guess is not None:
                self.add_error("temperature_c", f"Did you mean {guess} °C? If so, enter {guess}.")
        elif cleaned is not None and cleaned.get("temperature_c") is not None:
            cleaned["temperature_read_as"] = self._temperature_field().read_as
        return cleaned

    def _temperature_field(self) -> TemperatureField:
        field = self.fields["temperature_c"]
        assert isinstance(field, TemperatureField)
        return field

    def note_questions(self) -> tuple[NoteQuestion, ...]:
        """What the note reports that the answers sent with it do not: asked back before anything is stored."""
        if not self.is_bound:
            return ()
        note = str(self.data.get("note") or "")[: self._note_limit]
        temperature = getattr(self, "cleaned_data", {}).get("temperature_c")
        if temperature is None:
            temperature = readable_temperature(self.data.get("temperature_c"), *self._temperatures)
        return note_questions(
            self._protocol, note, self.readable_symptoms(), float(temperature) if temperature is not None else None
        )

    def questions_shown(self) -> set[str]:
        data: Any = self.data
        return set(data.getlist(ASKED)) if hasattr(data, "getlist") else set()

    def question_answers(self) -> dict[str, str]:
        return {
            name.removeprefix(ASK_PREFIX): str(value)
            for name, value in self.data.items()
            if name.startswith(ASK_PREFIX)
        }

    def report(self, questions: tuple[NoteQuestion, ...] = ()) -> CheckInReport:
        """The report as sent, with the patient's answers to the questions about their note: a yes is the
        form's answer for that symptom (as a yes without a grade), a no is recorded as denied."""
        data = self.cleaned_data
        symptoms, answers = answered(questions, self.question_answers(), self.symptoms(), UNGRADED_YES.value)
        return CheckInReport(
            date=data["date"],
            pain=data["pain"],
            temperature_c=data["temperature_c"],
            temperature_read_as=data.get("temperature_read_as", ""),
            symptoms=symptoms,
            note=data["note"],
            note_answers=answers,
        )

    def readable_answers(self) -> RefusedCheckIn:
        """After a refusal, what the answers most likely say, for triage only: the fields that passed, a
        temperature read leniently, every symptom that says something; what cannot be read is None. A
        question about the note already answered "yes" counts as that answer."""
        read: dict[str, Any] = getattr(self, "cleaned_data", {})
        said_yes = {code for code, answer in self.question_answers().items() if answer.strip().lower() == "yes"}
        symptoms = self.readable_symptoms()
        for code in said_yes & {q.code for q in self.note_questions()}:
            symptoms.setdefault(code, UNGRADED_YES.value)
        temperature = read.get("temperature_c")
        if temperature is None and "temperature_c" in self.errors:
            temperature = readable_temperature(self.data.get("temperature_c"), *self._temperatures)
        return RefusedCheckIn(
            date=read.get("date"),
            pain=read.get("pain"),
            temperature_c=temperature,
            symptoms=symptoms,
            refused=sorted(self.errors),
            # Even a note too long to keep is read for a red flag, all of it (``do_triage_refused_checkin``).
            note=str(read.get("note") or self.data.get("note") or ""),
        )


def _bound(field: forms.Field, low: Any, high: Any) -> None:
    """Limits that come from the protocol, checked on the server and announced to the browser."""
    field.validators += [MinValueValidator(low), MaxValueValidator(high)]
    if getattr(field.widget, "input_type", None) in ("number", "range"):
        field.widget.attrs.update({"min": low, "max": high})


class ScreeningForm(SymptomFieldsMixin, SentOnceForm):
    conditions = forms.MultipleChoiceField(
        label="What has a doctor told you is causing your back pain?",
        help_text="Tick all that apply; leave empty if you are not sure.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    history = forms.MultipleChoiceField(
        label="Do any of these apply to you now?",
        help_text="Tick all that apply.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # Buttons, not a slider: a slider always holds a value, and a baseline the patient never chose would
    # shift every later pain rule.
    pain = forms.TypedChoiceField(
        label="How bad is your back pain on a usual day?",
        help_text="0 means no pain, 10 the worst pain you can imagine.",
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "pain-choice"}),
        error_messages={"required": "Choose a number from 0 to 10."},
    )
    pain_trend = forms.ChoiceField(
        label="Over the last few weeks, your pain has been",
        choices=[
            (PainTrend.IMPROVING.value, "Getting better"),
            (PainTrend.STABLE.value, "About the same"),
            (PainTrend.WORSENING.value, "Getting worse"),
        ],
        widget=forms.RadioSelect,
    )
    note = NoteField(
        label="Anything else about your back or your health the clinic should know?",
        help_text="In your own words: what worries you, what you have tried, anything the questions missed.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, protocol: Protocol, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        note = self.fields["note"]
        assert isinstance(note, NoteField)
        note.limit(protocol.note_limit)
        self._note_limit = protocol.note_limit
        _choices(self.fields["conditions"], [(c.code, c.label[:1].upper() + c.label[1:]) for c in protocol.conditions])
        _choices(
            self.fields["history"], [(f.code, f.label[:1].upper() + f.label[1:]) for f in protocol.screening_factors]
        )
        pain = range(protocol.limits.pain_min, protocol.limits.pain_max + 1)
        _choices(self.fields["pain"], [(str(n), str(n)) for n in pain])
        # Nothing has been injected yet: questions about the injection site would only confuse.
        self.add_symptom_fields(protocol, skip_groups=("injection_site",))

    def answers(self) -> ScreeningAnswers:
        data = self.cleaned_data
        return ScreeningAnswers(
            conditions=data["conditions"],
            history=data["history"],
            pain=data["pain"],
            pain_trend=data["pain_trend"],
            symptoms=self.symptoms(),
            note=data["note"],
        )

    def readable_answers(self) -> RefusedScreening:
        """After a refusal, what the answers most likely say, for triage only (see CheckInForm)."""
        read: dict[str, Any] = getattr(self, "cleaned_data", {})
        data: Any = self.data

        def known(name: str, codes: set[str]) -> list[str]:
            sent = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
            return [code for code in sent if code in codes]

        return RefusedScreening(
            conditions=known("conditions", {c.code for c in self._protocol.conditions}),
            history=known("history", {f.code for f in self._protocol.screening_factors}),
            pain=read.get("pain"),
            pain_trend=read.get("pain_trend"),
            symptoms=self.readable_symptoms(),
            refused=sorted(self.errors),
            note=str(read.get("note") or self.data.get("note") or ""),  # all of it: see do_triage_refused_screening
        )


def _choices(field: forms.Field, choices: list[tuple[str, str]]) -> None:
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class EnrolForm(forms.Form):
    given_name = forms.CharField(max_length=100)
    family_name = forms.CharField(max_length=100)
    date_of_birth = forms.DateField(widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    sex = forms.ChoiceField(choices=[("", "Not recorded"), *Sex.choices], required=False)
    email = forms.EmailField(max_length=150, help_text="The invitation link is for this address; it is also the login.")
    phone = forms.CharField(max_length=40, required=False)
    clinic_reference = forms.CharField(label="Clinic record number", max_length=40, required=False)
    conditions = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, protocol: Protocol, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["conditions"], [(c.code, c.label[:1].upper() + c.label[1:]) for c in protocol.conditions])

    def clean_date_of_birth(self) -> dt.date:
        value: dt.date = self.cleaned_data["date_of_birth"]
        if value.year < 1890:
            raise forms.ValidationError("Check the year.")
        return value

    def enrolment(self) -> Enrolment:
        data = self.cleaned_data
        return Enrolment(
            given_name=data["given_name"],
            family_name=data["family_name"],
            date_of_birth=data["date_of_birth"],
            email=data["email"],
            sex=data["sex"],
            phone=data["phone"],
            clinic_reference=data["clinic_reference"],
            conditions=data["conditions"],
        )


class StaffForm(forms.Form):
    given_name = forms.CharField(max_length=150)
    family_name = forms.CharField(max_length=150)
    email = forms.EmailField(max_length=150, help_text="Their login. The link to set a password is for them alone.")
    # No role is preselected: adding an admin by leaving the first option is too easy a slip.
    role = forms.ChoiceField(choices=[("", "Choose a role"), *Role.choices])

    def member(self) -> NewStaff:
        data = self.cleaned_data
        return NewStaff(
            email=data["email"], given_name=data["given_name"], family_name=data["family_name"], role=data["role"]
        )


class StaffActiveForm(forms.Form):
    active = forms.TypedChoiceField(choices=[("yes", "Active"), ("no", "Deactivated")], coerce=lambda v: v == "yes")


class StaffRoleForm(forms.Form):
    # Not "role": the page also holds the form that adds a colleague, and one name means one control.
    new_role = forms.ChoiceField(choices=Role.choices)


class PhysicianChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # generic only in the stubs
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.get_username()


SPINAL_LEVEL = RegexValidator(
    r"^(C[1-7]|T([1-9]|1[0-2])|L[1-5]|S[1-5])(-(C[1-7]|T([1-9]|1[0-2])|L[1-5]|S[1-5]))?$|^SI$",
    "Write a level such as L4-L5, L5-S1 or SI (sacroiliac).",
)


class ProcedureForm(SentOnceForm):
    performed_at = forms.DateTimeField(
        label="Injected at (clinic time)",
        widget=forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"}),
    )
    target = forms.ChoiceField()
    spinal_level = forms.CharField(max_length=20, validators=[SPINAL_LEVEL], help_text="e.g. L4-L5, L5-S1, SI")
    side = forms.ChoiceField(choices=[("", "Choose…"), *Side.choices])
    image_guidance = forms.ChoiceField(choices=[("", "Choose…"), *ImageGuidance.choices])
    blood_drawn_ml = CommaDecimalField(
        unit="mL",
        label="Blood drawn (mL)",
        max_digits=5,
        decimal_places=1,
        min_value=Decimal("1"),
        max_value=Decimal("250"),
    )
    spin_protocol = forms.CharField(max_length=200, help_text="e.g. two spins: 1500 g 10 min, then 3000 g 10 min")
    platelet_concentration_x = CommaDecimalField(
        label="Platelet concentration (× baseline)",
        required=False,
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("1"),
        max_value=Decimal("20"),
        help_text="Give this or the platelet count.",
    )
    platelet_count_per_ul = forms.IntegerField(
        label="Platelet count (per µL)", required=False, min_value=10_000, max_value=10_000_000
    )
    leukocytes = forms.ChoiceField(choices=Leukocytes.choices)
    activation = forms.ChoiceField(choices=Activation.choices)
    volume_injected_ml = CommaDecimalField(
        unit="mL",
        label="Volume injected (mL)",
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0.1"),
        max_value=Decimal("50"),
    )
    operator = PhysicianChoiceField(queryset=User.objects.none(), label="Operator (physician)")
    notes = NoteField(required=False, most=4000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, protocol: Protocol, clinic: Clinic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        # Where and how the needle went: no answer is chosen in advance, so a skipped field cannot record
        # the wrong site or side.
        _choices(
            self.fields["target"],
            [("", "Choose…"), *((t.code, t.label[:1].upper() + t.label[1:]) for t in protocol.targets)],
        )
        operator = self.fields["operator"]
        assert isinstance(operator, forms.ModelChoiceField)
        operator.queryset = User.objects.filter(
            staff__clinic=clinic, staff__role=Role.PHYSICIAN, staff__is_active=True, is_active=True
        ).order_by("family_name", "given_name")

    def clean_performed_at(self) -> dt.datetime:
        value: dt.datetime = self.cleaned_data["performed_at"]
        if not 2000 <= value.year <= 2100:  # a typo such as 0202; time zone arithmetic fails near year 1
            raise forms.ValidationError("Check the year.")
        # The form's time is the clinic's wall clock, whatever the server's time zone is.
        return value.replace(tzinfo=None).replace(tzinfo=zoneinfo.ZoneInfo(self.clinic.time_zone))

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if (
            data is not None
            and data.get("platelet_concentration_x") is None
            and data.get("platelet_count_per_ul") is None
        ):
            self.add_error("platelet_concentration_x", "Give the concentration (× baseline) or the platelet count.")
        return data

    def record(self) -> ProcedureRecord:
        data = self.cleaned_data
        return ProcedureRecord(
            performed_at=data["performed_at"],
            target=data["target"],
            spinal_level=data["spinal_level"],
            side=data["side"],
            image_guidance=data["image_guidance"],
            blood_drawn_ml=data["blood_drawn_ml"],
            spin_protocol=data["spin_protocol"],
            platelet_concentration_x=data["platelet_concentration_x"],
            platelet_count_per_ul=data["platelet_count_per_ul"],
            leukocytes=data["leukocytes"],
            activation=data["activation"],
            volume_injected_ml=data["volume_injected_ml"],
            operator=data["operator"],
            notes=data["notes"],
        )


class DecisionForm(forms.Form):
    candidacy = forms.ChoiceField(
        label="Decision",
        choices=[(Candidacy.ELIGIBLE.value, "Eligible: go ahead with PRP"), (Candidacy.DEFER.value, "Defer PRP")],
        widget=forms.RadioSelect,
    )
    reason = NoteField(
        required=False,
        most=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when your decision differs from the recommendation, and always after a review.",
    )


STAGE_FILTERS = [
    ("enrolled", "Enrolled"),
    ("screened", "Awaiting decision"),
    ("deferred", "Deferred"),
    ("approved", "Approved"),
    ("recovering", "Recovering"),
    ("follow_up", "Follow-up"),
]


class PatientFilterForm(forms.Form):
    """The patient list's filters, read from the query string: what is not one of them is named, not used."""

    q = forms.CharField(label="Search", required=False, max_length=100)
    stage = forms.ChoiceField(
        required=False, choices=[("", "Any stage"), *STAGE_FILTERS, ("injected", "Injected, any day")]
    )
    alerts = forms.ChoiceField(required=False, choices=[("", "Any"), ("open", "Open alerts")])
    missed = forms.ChoiceField(required=False, choices=[("", "Any"), ("yes", "Missed check-in")])

    def filters(self) -> dict[str, str]:
        """The filters that are valid, each as given; a field with a problem counts as not given."""
        self.is_valid()
        return {name: self.cleaned_data.get(name) or "" for name in self.fields}


class PageTimeField(forms.DateTimeField):
    """A time a page was shown, sent back with it (hidden, or in a poll's query): between the years 2000 and
    2100, so that a mangled or tampered one is refused naming the field (near year 1 or 9999, time-zone
    arithmetic overflows, as SQLite's adapter does on 9999-12-31T23:59:59 in a clinic west of UTC)."""

    def to_python(self, value: Any) -> dt.datetime | None:
        moment = super().to_python(value)
        if moment is not None and not 2000 <= moment.year <= 2100:
            raise ValidationError("This is not a time this site's pages show: reload the page.", code="out_of_range")
        return moment


class WorklistChangesForm(forms.Form):
    since = PageTimeField()


def login_name(value: object) -> str:
    """Logins are email addresses stored in lower case: "Ada@Example.org " from a phone keyboard is the same."""
    return normal_email(value)


# The throttle's column (django-axes' AccessAttempt.username): a longer name fails its insert on PostgreSQL.
THROTTLED_NAME_LENGTH = 255


def throttled_login_name(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The name sign-in throttling counts failures under (django-axes' AXES_USERNAME_CALLABLE): the login
    as it is looked up, so changing the case of an email does not buy more guesses; no longer than the
    throttle's column (no login is: SignInForm refuses a longer one first)."""
    given = (credentials or {}).get("username", request.POST.get("username") if request is not None else None)
    return login_name(given)[:THROTTLED_NAME_LENGTH]


class SignInForm(AuthenticationForm):
    def clean_username(self) -> str:
        name = login_name(self.cleaned_data.get("username"))
        # Django's form sets the login's length from the user model but does not check it.
        most = self.username_field.max_length or THROTTLED_NAME_LENGTH
        if len(name) > most:
            raise ValidationError(f"An email address has at most {most} characters; this has {len(name):,}.")
        return name


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """Changing one's password, with the old password guessed no more freely than at sign-in. django-axes
    counts only what goes through ``authenticate()``, and this form checks the old password itself, so a
    wrong one is reported to axes as a failed sign-in of that login from that address: the same count, limit
    and pause as signing in. While paused, the old password is not tried at all (the right one waits too),
    and the attempt counts as sign-in's do; AxesMiddleware then answers with the lockout page."""

    def __init__(self, user: Any, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request

    @property
    def credentials(self) -> dict[str, str]:
        return {"username": login_name(self.user.email)}

    def clean_old_password(self) -> str:
        if AxesProxyHandler.is_locked(self.request, self.credentials):
            self._failed()
            raise ValidationError(
                "Too many wrong passwords: changing your password from here is paused. Try again later.",
                code="throttled",
            )
        try:
            old: str = super().clean_old_password()
        except ValidationError:
            self._failed()
            raise
        return old

    def _failed(self) -> None:
        user_login_failed.send(sender=type(self), credentials=self.credentials, request=self.request)


class AlertNoteForm(forms.Form):
    note = NoteField(required=False, most=2000, widget=forms.Textarea(attrs={"rows": 2}))
    # For the patient: their Today shows it, with who wrote it and when.
    message = NoteField(required=False, most=1000, widget=forms.Textarea(attrs={"rows": 2}))
    # When the card was last changed, as the page showed it: acting on an alert changed since is refused.
    seen = PageTimeField(required=False, widget=forms.HiddenInput)
    # The revision of the check-in whose note the card quoted: that note is read by whoever acts on it.
    note_revision = forms.IntegerField(required=False, min_value=1, max_value=32767, widget=forms.HiddenInput)


class NoteReadForm(forms.Form):
    # The report the nurse read: a note sent again since is read again first.
    revision = forms.IntegerField(min_value=1, max_value=32767, widget=forms.HiddenInput)


class ClinicalNoteForm(SentOnceForm):
    text = NoteField(label="Add a note", most=4000, widget=forms.Textarea(attrs={"rows": 3}))


class AcceptInvitationForm(forms.Form):
    password = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters; not a common password.",
    )
    password_again = forms.CharField(
        label="The same password again", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if data is not None and data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", "The two passwords are not the same.")
        return data


# --- the Protocol page -------------------------------------------------------------------------------

DOCUMENT_UPLOAD_LIMIT = 1_000_000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(item, initial) for item in data]
        return [one(data, initial)] if data else []


class ProtocolDocumentForm(forms.Form):
    """A draft's text: typed or pasted, or a file uploaded instead (which wins when both are given)."""

    document = forms.CharField(
        label="Protocol document (YAML)",
        required=False,
        strip=False,
        max_length=DOCUMENT_UPLOAD_LIMIT,
        widget=forms.Textarea(attrs={"rows": 28, "spellcheck": "false", "class": "code", "wrap": "off"}),
    )
    upload = forms.FileField(label="Or upload a file", required=False)

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if data is None:
            return data
        upload = data.get("upload")
        if upload is not None:
            if upload.size > DOCUMENT_UPLOAD_LIMIT:
                self.add_error("upload", f"The file is larger than {DOCUMENT_UPLOAD_LIMIT // 1000} kB.")
                return data
            try:
                data["document"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("upload", "The file is not UTF-8 text: save it as UTF-8 and upload it again.")
                return data
        if not (data.get("document") or "").strip():
            self.add_error("document", "Paste or type the protocol document, or upload a file.")
        return data


class NewDraftForm(forms.Form):
    start_from = forms.ChoiceField(
        choices=[("active", "the active version"), ("default", "the built-in protocol")], required=False
    )


class SafetyVignetteForm(forms.Form):
    vignettes = MultipleFileField(label="Vignette or note files (JSON, with an answer key)")


class ActivationForm(forms.Form):
    """A reason for each disagreement the clinic accepts, one field per vignette (named by its suite key)."""

    PREFIX = "reason:"

    def __init__(self, *args: Any, keys: list[str], lines: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key in keys:
            self.fields[self.PREFIX + key] = forms.CharField(
                label=lines.get(key, key),
                required=False,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def reasons(self) -> dict[str, str]:
        return {
            name.removeprefix(self.PREFIX): value
            for name, value in self.cleaned_data.items()
            if name.startswith(self.PREFIX) and value.strip()
        }
