"""The audit page for administrators: the log, filtered, and the same list as CSV."""

import csv
import json

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bif.audit import Action, Outcome, entries_for, is_audit_reader, record
from bif.exports import neutralise_text

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    aktion = forms.ChoiceField(
        label=_("Aktion"),
        choices=[("", _("alle")), *Action.choices],
        required=False,
    )
    benutzer = forms.CharField(label=_("Benutzer"), required=False, max_length=150)
    von = forms.DateField(
        label=_("von (Datum)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    bis = forms.DateField(
        label=_("bis (Datum)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    objekt = forms.CharField(label=_("Objekt oder Datenquelle"), required=False, max_length=300)
    ergebnis = forms.ChoiceField(
        label=_("Ergebnis"),
        choices=[("", _("alle")), *Outcome.choices],
        required=False,
    )

    def filters(self):
        """The valid filters as keyword arguments for `entries_for`; invalid ones are dropped."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "action": data.get("aktion") or "",
            "username": data.get("benutzer") or "",
            "date_from": data.get("von"),
            "date_to": data.get("bis"),
            "text": data.get("objekt") or "",
            "outcome": data.get("ergebnis") or "",
        }


def _require_reader(request):
    # A 404 rather than a 403: others need not learn that the page exists. The attempt
    # itself is audited.
    if not is_audit_reader(request.user):
        record(
            action=Action.ACCESS_DENIED,
            outcome=Outcome.DENIED,
            request=request,
            details={"page": request.resolver_match.view_name if request.resolver_match else ""},
        )
        raise Http404


def audit_log(request):
    _require_reader(request)
    form = AuditFilterForm(request.GET or None)
    entries = entries_for(request.user, **form.filters())
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "statistics_office/audit_log.html",
        {"form": form, "page_obj": page, "entries": page.object_list},
    )


CSV_HEADER = (
    _("Nr."),
    _("Zeitpunkt"),
    _("Aktion"),
    _("Benutzer"),
    _("Objekttyp"),
    _("Objekt-ID"),
    _("Objekt"),
    _("Datenquelle"),
    _("Zweck"),
    _("Ergebnis"),
    _("Details"),
    _("IP-Adresse"),
    _("Prüfsumme"),
)


# Keep spreadsheet programs from running a cell as a formula (CSV injection).
neutralise = neutralise_text


class _Echo:
    def write(self, value):
        return value


def _csv_rows(entries):
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff" + writer.writerow([str(label) for label in CSV_HEADER])
    for entry in entries.iterator(chunk_size=2000):
        object_type = entry.content_type.name if entry.content_type_id else ""
        yield writer.writerow(
            [
                entry.sequence,
                neutralise(timezone.localtime(entry.created_at).strftime("%d.%m.%Y %H:%M:%S")),
                neutralise(entry.get_action_display()),
                neutralise(entry.username),
                neutralise(object_type),
                neutralise(entry.object_id),
                neutralise(entry.object_repr),
                neutralise(entry.source_label),
                neutralise(entry.purpose),
                neutralise(entry.get_outcome_display()),
                neutralise(json.dumps(entry.details, ensure_ascii=False, sort_keys=True)),
                neutralise(entry.ip_address),
                entry.entry_hash,
            ]
        )


def audit_log_csv(request):
    _require_reader(request)
    form = AuditFilterForm(request.GET or None)
    filters = form.filters()
    entries = entries_for(request.user, **filters)
    # Exporting the log is itself worth an entry: it leaves the page with names in it.
    record(
        action=Action.AUDIT_LOG_EXPORT,
        request=request,
        details={"filters": sorted(name for name, value in filters.items() if value)},
    )
    response = StreamingHttpResponse(_csv_rows(entries), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    return response
