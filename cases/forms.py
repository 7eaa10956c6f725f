from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import StaffRole, User

from . import limits
from .attachments import problems as attachment_problems
from .models import CannedReply, Case, OnCallShift
from .services import OUTCOMES


class PlainLabels:
    """Labels without Django's trailing colon, the same on every form of the portal."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern); limits are checked by cases.attachments."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class CaseForm(PlainLabels, forms.Form):
    severity = forms.ChoiceField(
        label=_("How serious is it?"),
        choices=Case.Severity.choices,
        widget=forms.RadioSelect,
        initial=Case.Severity.NON_CRITICAL,
    )
    category = forms.ChoiceField(label=_("What kind of request is it?"), choices=Case.Category.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What happens, since when, what you expected, and message IDs or error texts if you have them."),
        validators=[limits.validate_text],
    )
    callback_requested = forms.BooleanField(
        label=_("Call me back (critical cases: within 15 minutes, 24/7)"), required=False
    )
    contact_phone = forms.CharField(label=_("Phone number to call back"), max_length=40, required=False)
    files = MultipleFileField(label=_("Attachments"))
    followers = forms.ModelMultipleChoiceField(
        label=_("Keep these colleagues informed"),
        required=False,
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, account=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        colleagues = (
            User.objects.none()
            if account is None
            else User.objects.filter(memberships__account=account, is_active=True, is_staff=False).order_by("full_name")
        )
        self.fields["followers"].queryset = colleagues.exclude(pk=getattr(user, "pk", None))
        if not self.fields["followers"].queryset.exists():
            del self.fields["followers"]

    def clean_files(self):
        files = self.cleaned_data["files"]
        errors = attachment_problems(files)
        if errors:
            raise forms.ValidationError(errors)
        return files

    def clean(self):
        data = super().clean()
        if data.get("severity") == Case.Severity.CRITICAL and data.get("category") != Case.Category.BUG:
            self.add_error(
                "category",
                _(
                    "A critical case is a software fault causing sustained unavailability; "
                    "choose “Software bug”, or file it as non-critical."
                ),
            )
        if data.get("callback_requested") and not data.get("contact_phone", "").strip():
            self.add_error("contact_phone", _("Give the phone number we should call back."))
        return data


class ReplyForm(PlainLabels, forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        validators=[limits.validate_text],
    )
    files = MultipleFileField(label=_("Attachments"))


class NoteForm(PlainLabels, forms.Form):
    body = forms.CharField(
        label=_("Internal note (never shown to the customer)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[limits.validate_text],
    )
    files = MultipleFileField(label=_("Attachments"))


class AssignForm(PlainLabels, forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assigned agent"), required=False, queryset=User.objects.none())

    def __init__(self, *args, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        if account is not None:  # agents, and the account's own TAMs: people who can open the case
            self.fields["assignee"].queryset = (
                User.objects.filter(is_active=True, is_staff=True)
                .filter(Q(staff_role=StaffRole.AGENT) | Q(pk__in=[account.primary_tam_id, account.backup_tam_id]))
                .order_by("full_name")
            )


class CallbackForm(PlainLabels, forms.Form):
    called_name = forms.CharField(label=_("Whom you called"), max_length=150)
    called_number = forms.CharField(label=_("Number you called"), max_length=40)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=list(OUTCOMES.items()))
    called_at = forms.DateTimeField(
        label=_("When (empty: now)"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    notes = forms.CharField(label=_("What you learned"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class UpdateForm(PlainLabels, forms.Form):
    nature = forms.CharField(label=_("Nature of the problem"), widget=forms.Textarea(attrs={"rows": 3}))
    expected_resolution = forms.CharField(
        label=_("Expected time to resolution"),
        max_length=200,
        help_text=_("e.g. “within 2 hours, by 14:30 CET”, or what it depends on"),
    )
    body = forms.CharField(label=_("More detail"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class CadenceForm(PlainLabels, forms.Form):
    minutes = forms.IntegerField(label=_("Update every (minutes)"), min_value=5, max_value=24 * 60)
    agreed_with = forms.CharField(label=_("Agreed with"), max_length=150)


class ClassificationForm(PlainLabels, forms.Form):
    """Staff change, or the customer asks to change, a case's severity and category (with a reason)."""

    severity = forms.ChoiceField(label=_("Severity"), choices=Case.Severity.choices)
    category = forms.ChoiceField(label=_("Category"), choices=Case.Category.choices)
    reason = forms.CharField(label=_("Why?"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class DecisionForm(PlainLabels, forms.Form):
    decision = forms.ChoiceField(
        label=_("Answer"), choices=[("accept", _("Accept the change")), ("decline", _("Decline"))]
    )
    reason = forms.CharField(label=_("Reason for the customer"), widget=forms.Textarea(attrs={"rows": 2}))


class WorkaroundForm(PlainLabels, forms.Form):
    """MISSION: CR-3, CR-4 — with a workaround the 24/7 work ends; updates continue only at an agreed interval."""

    body = forms.CharField(  # the service says what is missing: "Describe the workaround."
        label=_("The workaround"), widget=forms.Textarea(attrs={"rows": 3, "required": True}), required=False
    )
    minutes = forms.IntegerField(
        label=_("Updates from now on every (minutes)"),
        min_value=5,
        max_value=7 * 24 * 60,
        required=False,
        help_text=_("Empty: no more scheduled updates until the case is resolved."),
    )
    agreed_with = forms.CharField(label=_("Agreed with"), max_length=150, required=False)


class PhoneIntakeForm(PlainLabels, forms.Form):
    """MISSION: CR-2 — the caller's basic details, taken by the representative."""

    company_name = forms.CharField(label=_("Company name"), max_length=200)
    contact_name = forms.CharField(label=_("Contact name"), max_length=150)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40)
    contact_email = forms.EmailField(label=_("Contact email"))
    description = forms.CharField(
        label=_("Description of the critical issue"), widget=forms.Textarea(attrs={"rows": 5})
    )
    account = forms.CharField(required=False, widget=forms.HiddenInput)
    case = forms.CharField(required=False, widget=forms.HiddenInput)


class ShiftForm(PlainLabels, forms.ModelForm):
    class Meta:
        model = OnCallShift
        fields = ["agent", "starts_at", "ends_at", "handover_note"]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "handover_note": forms.Textarea(attrs={"rows": 2}),
        }

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("A shift must end after it starts."))
        return data


class RatingForm(forms.Form):
    """MISSION: NC-5, CR-5 — how the customer found the resolution they agreed to (issue 15)."""

    score = forms.TypedChoiceField(
        label=_("How satisfied are you with how this case was handled?"),
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("5 is very satisfied, 1 is very dissatisfied."),
    )
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CaseNumberForm(PlainLabels, forms.Form):
    """Another case of the same account, by its number (merging a duplicate, linking a related case)."""

    number = forms.CharField(label=_("Case number"), max_length=32)

    def clean_number(self):
        return self.cleaned_data["number"].strip().upper()


class CannedReplyForm(PlainLabels, forms.ModelForm):
    """A canned reply as staff write it; unknown placeholders are errors on the text (``CannedReply.clean``)."""

    class Meta:
        model = CannedReply
        fields = ["name", "body_en", "body_pl", "active"]
        widgets = {"body_en": forms.Textarea(attrs={"rows": 6}), "body_pl": forms.Textarea(attrs={"rows": 6})}


class MacroChoiceForm(PlainLabels, forms.Form):
    """Which canned reply to put into the reply form, in which language (the case's by default)."""

    macro = forms.ModelChoiceField(label=_("Canned reply"), queryset=CannedReply.objects.filter(active=True))
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, required=False)
