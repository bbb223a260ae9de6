"""Pages where the administration grants, approves and revokes access and records pledges.

Everyone outside the administration gets a 404 (and an audit entry). The rules live in
statistics_office.grants; these views only collect input and show results.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from bif import audit, roles
from departments.models import DataSource

from . import grants
from .models import Grant, OfficeMember

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class GrantRequestForm(forms.ModelForm):
    class Meta:
        model = Grant
        fields = [
            "user",
            "source",
            "permission",
            "purpose",
            "legal_basis",
            "valid_from",
            "valid_until",
        ]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "legal_basis": forms.Textarea(attrs={"rows": 2}),
            "valid_from": DATE_WIDGET,
            "valid_until": DATE_WIDGET,
        }
        labels = {
            "user": _lazy("Person aus der Statistikstelle"),
            "source": _lazy("Datenquelle"),
            "permission": _lazy("Berechtigung"),
            "purpose": _lazy("Zweck (statistischer Auftrag)"),
            "legal_basis": _lazy("Rechtsgrundlage"),
            "valid_from": _lazy("gültig ab"),
            "valid_until": _lazy("gültig bis"),
        }
        help_texts = {
            "permission": _lazy(
                "Einzeldaten einsehen oder exportieren wird erst wirksam, wenn eine zweite "
                "Person aus der Administration bestätigt."
            ),
            "legal_basis": _lazy("z. B. § 4 Statistiksatzung in Verbindung mit § 16 BStatG"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = grants.office_members()
        self.fields["user"].label_from_instance = _person_label
        self.fields["source"].queryset = DataSource.objects.select_related("department")
        if not self.is_bound:
            self.initial.setdefault("valid_from", timezone.localdate())


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_lazy("Grund des Widerrufs"), widget=forms.Textarea(attrs={"rows": 3})
    )


class PledgeForm(forms.ModelForm):
    class Meta:
        model = OfficeMember
        fields = [
            "pledge_date",
            "pledge_reference",
            "training_date",
            "training_valid_until",
            "notes",
        ]
        widgets = {
            "pledge_date": DATE_WIDGET,
            "training_date": DATE_WIDGET,
            "training_valid_until": DATE_WIDGET,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class GrantFilterForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_lazy("Person"), queryset=None, required=False, empty_label=_lazy("alle")
    )
    source = forms.ModelChoiceField(
        label=_lazy("Datenquelle"),
        queryset=DataSource.objects.all(),
        required=False,
        empty_label=_lazy("alle"),
        to_field_name="slug",
    )
    include_ended = forms.BooleanField(
        label=_lazy("auch abgelaufene und widerrufene"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = (
            get_user_model().objects.filter(grants__isnull=False).distinct().order_by("username")
        )
        self.fields["person"].label_from_instance = _person_label

    def filters(self):
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "person": data.get("person"),
            "source": data.get("source"),
            "include_ended": bool(data.get("include_ended")),
        }


def _person_label(user):
    full = user.get_full_name()
    return f"{full} ({user.get_username()})" if full else user.get_username()


def _require_administration(request):
    # A 404 rather than a 403: others need not learn that the page exists.
    if not roles.has_role(request.user, roles.ADMINISTRATION):
        audit.record(
            action=audit.Action.ACCESS_DENIED,
            outcome=audit.Outcome.DENIED,
            request=request,
            details={"page": request.resolver_match.view_name if request.resolver_match else ""},
        )
        raise Http404


def _with_status(grant_list):
    today = timezone.localdate()
    for grant in grant_list:
        grant.current_status = grant.status(today)
    return grant_list


def grant_list(request):
    _require_administration(request)
    form = GrantFilterForm(request.GET or None)
    rows = _with_status(list(grants.grant_overview(**form.filters())))
    return render(
        request,
        "statistics_office/grants/grant_list.html",
        {"form": form, "grants": rows, "pending_count": grants.pending_approvals().count()},
    )


def grant_create(request):
    _require_administration(request)
    form = GrantRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grant = grants.request_grant(granted_by=request.user, **data)
        except grants.GrantError as error:
            form.add_error(None, error.message)
        else:
            if grant.needs_approval:
                messages.success(
                    request,
                    _(
                        "Freigabe angelegt. Sie wird wirksam, sobald eine zweite Person aus der "
                        "Administration sie bestätigt."
                    ),
                )
            else:
                messages.success(request, _("Freigabe angelegt."))
            return redirect("grants:grant-list")
    return render(request, "statistics_office/grants/grant_form.html", {"form": form})


def grant_pending(request):
    _require_administration(request)
    rows = _with_status(list(grants.pending_approvals()))
    return render(request, "statistics_office/grants/grant_pending.html", {"grants": rows})


@require_POST
def grant_approve(request, pk):
    _require_administration(request)
    grant = get_object_or_404(Grant.objects.select_related("user", "source", "granted_by"), pk=pk)
    try:
        grants.approve_grant(grant, approver=request.user)
    except grants.GrantError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Freigabe bestätigt: %(grant)s") % {"grant": grant})
    return redirect("grants:grant-pending")


def grant_revoke(request, pk):
    _require_administration(request)
    grant = get_object_or_404(Grant.objects.select_related("user", "source", "granted_by"), pk=pk)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grants.revoke_grant(grant, by=request.user, reason=form.cleaned_data["reason"])
        except grants.GrantError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Freigabe widerrufen: %(grant)s") % {"grant": grant})
            return redirect("grants:grant-list")
    grant.current_status = grant.status()
    return render(
        request, "statistics_office/grants/grant_revoke.html", {"grant": grant, "form": form}
    )


def member_list(request):
    _require_administration(request)
    today = timezone.localdate()
    rows = []
    for person in grants.office_members():
        member = getattr(person, "office_member", None)
        rows.append(
            {
                "person": person,
                "member": member,
                "qualified": member is not None and member.is_qualified(today),
            }
        )
    return render(request, "statistics_office/grants/member_list.html", {"rows": rows})


def member_edit(request, user_id):
    _require_administration(request)
    person = get_object_or_404(grants.office_members(), pk=user_id)
    member = grants.member_of(person) or OfficeMember(user=person)
    form = PledgeForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grants.record_pledge(
                person,
                pledge_date=data["pledge_date"],
                training_date=data["training_date"],
                training_valid_until=data["training_valid_until"],
                pledge_reference=data["pledge_reference"],
                notes=data["notes"],
                by=request.user,
            )
        except grants.GrantError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Verpflichtung und Schulung von %(person)s gespeichert.")
                % {"person": _person_label(person)},
            )
            return redirect("grants:member-list")
    return render(
        request,
        "statistics_office/grants/member_form.html",
        {"form": form, "person": person, "person_label": _person_label(person)},
    )
