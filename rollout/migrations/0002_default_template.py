"""The default German checklist from the study (version 1)."""

from django.db import migrations

NAME = "Einführung einer Datenquelle"

# (key, title, explanation, responsible role, required for stage, automatic check)
ITEMS = [
    ("quelle-identifiziert", "Datenquelle identifiziert und verantwortliche Stelle benannt",
     "Fachverfahren, liefernder Fachbereich und eine verantwortliche Ansprechperson sind "
     "im Katalog eingetragen.", "department", "verified", ""),
    ("rechtsgrundlage", "Rechtsgrundlage und Zweck dokumentiert",
     "Die Rechtsgrundlage der Übermittlung an die Statistikstelle (Statistiksatzung, "
     "Fachgesetz) und der statistische Zweck sind bei der Datenquelle festgehalten.",
     "administration", "verified", ""),
    ("datenschutz", "Datenschutz-Folgenabschätzung bzw. Eintrag im Verarbeitungsverzeichnis",
     "Aktenzeichen oder Link zur DSFA bzw. zum Eintrag im Verzeichnis der "
     "Verarbeitungstätigkeiten (Art. 30 DSGVO).", "data_protection", "verified", ""),
    ("schema", "Schema festgelegt",
     "Felder, Typen und Pflichtangaben des Exports sind als Table Schema hinterlegt.",
     "statistics_office", "verified", "schema_declared"),
    ("probeexport", "Probeexport erhalten",
     "Ein Probeexport aus dem Fachverfahren liegt der Statistikstelle vor.",
     "department", "verified", ""),
    ("validierung", "Validierung bestanden",
     "Ein Export besteht die Prüfung gegen das Schema ohne Fehler.",
     "statistics_office", "plausible", "validation_passes"),
    ("plausibilitaet", "Plausibilitätsregeln festgelegt und geprüft",
     "Regeln (auch quellenübergreifend) sind mit dem Fachbereich abgestimmt und geprüft.",
     "statistics_office", "plausible", ""),
    ("erster-import", "Erster Import angenommen",
     "Ein Import wurde nach Prüfung angenommen.", "statistics_office", "plausible",
     "first_accepted_import"),
    ("statistikstelle-personal", "Personal der Statistikstelle verpflichtet und geschult",
     "Mindestens eine Person der Statistikstelle ist auf das Statistikgeheimnis verpflichtet, "
     "geschult und hat eine Freigabe für die Datenquelle.", "administration", "live",
     "office_staff_qualified"),
    ("fachbereich-informiert", "Mitarbeitende des Fachbereichs informiert und geschult",
     "Die Mitarbeitenden des liefernden Fachbereichs wissen, wozu die Daten dienen, und "
     "können BIF nutzen.", "department", "live", ""),
    ("erste-tabelle", "Erste Tabelle veröffentlicht",
     "Eine geheimhaltungsgeprüfte Tabelle aus der Datenquelle ist veröffentlicht.",
     "statistics_office", "live", "first_table_published"),
    ("erstes-dashboard", "Erstes Dashboard in Nutzung",
     "Ein veröffentlichtes Dashboard zeigt eine Tabelle aus der Datenquelle.",
     "statistics_office", "live", "first_dashboard_in_use"),
    ("lieferrhythmus", "Lieferrhythmus vereinbart und automatisiert",
     "Der Lieferrhythmus ist mit dem Fachbereich vereinbart; Lieferungen kommen pünktlich.",
     "department", "live", "update_cycle_automated"),
]


def create_default(apps, schema_editor):
    Template = apps.get_model("rollout", "ChecklistTemplate")
    Item = apps.get_model("rollout", "ChecklistItemTemplate")
    template, _created = Template.objects.get_or_create(
        name=NAME, version=1, defaults={"is_current": True}
    )
    for order, (key, title, explanation, role, stage, check) in enumerate(ITEMS, start=1):
        Item.objects.update_or_create(
            template=template,
            key=key,
            defaults={
                "order": order,
                "title": title,
                "explanation": explanation,
                "responsible_role": role,
                "required_for_stage": stage,
                "auto_check": check,
            },
        )


def remove_default(apps, schema_editor):
    apps.get_model("rollout", "ChecklistTemplate").objects.filter(name=NAME, version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("rollout", "0001_initial")]

    operations = [migrations.RunPython(create_default, remove_default)]
