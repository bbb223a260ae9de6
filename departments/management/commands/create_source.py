"""manage.py create_source SLUG --department CODE --kind aggregate|microdata --schema FILE"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from departments import onboarding
from departments.models import Department


class Command(BaseCommand):
    help = (
        "Legt eine Datenquelle mit ihrem Schema an. FILE ist ein Table Schema oder die "
        "Ausgabe von describe_file (dann gilt deren „schema“)."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="Kennung der neuen Datenquelle")
        parser.add_argument("--department", required=True, help="Kurzzeichen des Fachbereichs")
        parser.add_argument("--kind", required=True, choices=["aggregate", "microdata"])
        parser.add_argument("--schema", required=True, help="JSON-Datei mit dem Schema")
        parser.add_argument("--name", default="", help="Name der Datenquelle")

    def handle(self, *args, slug, department, kind, schema, name, **options):
        try:
            descriptor = json.loads(Path(schema).read_text(encoding="utf-8"))
        except (OSError, ValueError) as problem:
            raise CommandError(f"Das Schema in „{schema}“ ist nicht lesbar: {problem}")
        if isinstance(descriptor, dict) and isinstance(descriptor.get("schema"), dict):
            descriptor = descriptor["schema"]
        owner = Department.objects.filter(code=department).first()
        if owner is None:
            raise CommandError(f"Den Fachbereich „{department}“ gibt es nicht.")
        try:
            source = onboarding.create_source(
                slug=slug, department=owner, kind=kind, schema=descriptor, name=name
            )
        except onboarding.SchemaRejected as rejected:
            raise CommandError("\n".join(rejected.problems))
        self.stdout.write(f"Datenquelle „{source.slug}“ mit Schema v1 angelegt.")
