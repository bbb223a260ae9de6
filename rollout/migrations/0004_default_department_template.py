"""The default German checklist for a department's introduction (version 1).

The study found that introduction needs resources and the staff's active involvement; these
items are what a department does once, whatever number of sources it delivers. Each gates
the stage of every source of the department.
"""

from django.db import migrations

NAME = "Einführung in einem Fachbereich"

# (key, title, explanation, responsible role, required for stage, automatic check)
ITEMS = [
    ("fb-leitung", "Fachbereichsleitung und Ansprechperson benannt",
     "Die Fachbereichsleitung ist in BIF eingetragen und hat eine Ansprechperson für die "
     "Einführung benannt.", "department", "verified", "department_head_named"),
    ("fb-quellen", "Fachverfahren und Datenbestände erfasst",
     "Die Fachverfahren des Fachbereichs und ihre Datenbestände sind im Katalog eingetragen.",
     "department", "verified", "sources_catalogued"),
    ("fb-ressourcen", "Ressourcen für die Einführung eingeplant",
     "Zeit der Mitarbeitenden für Exporte, Abstimmungen und Schulungen ist eingeplant.",
     "department", "plausible", ""),
    ("fb-informiert", "Mitarbeitende informiert",
     "Die Mitarbeitenden wissen, wozu die Daten dienen und dass nur anonymisierte Ergebnisse "
     "die Statistikstelle verlassen.", "department", "plausible", "staff_informed"),
    ("fb-personalrat", "Personalrat beteiligt",
     "Der Personalrat ist über die Einführung unterrichtet und hat, wo nötig, zugestimmt.",
     "administration", "live", ""),
    ("fb-geschult", "Mitarbeitende geschult",
     "Mindestens eine Person des Fachbereichs ist in der Nutzung von BIF geschult.",
     "department", "live", "staff_trained"),
]


def create_default(apps, schema_editor):
    Template = apps.get_model("rollout", "ChecklistTemplate")
    Item = apps.get_model("rollout", "ChecklistItemTemplate")
    template, _created = Template.objects.get_or_create(
        name=NAME, version=1, defaults={"is_current": True, "scope": "department"}
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
    dependencies = [("rollout", "0003_department_checklists")]

    operations = [migrations.RunPython(create_default, remove_default)]
