"""manage.py describe_file PATH: the detected layout and the proposed Table Schema as JSON."""

import json

from django.core.management.base import BaseCommand, CommandError

from departments import onboarding


class Command(BaseCommand):
    help = "Erkennt Aufbau und Schema einer Beispieldatei und gibt beides als JSON aus."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Pfad zur CSV-, XLSX- oder ZIP-Datei")
        parser.add_argument("--sheet", default="", help="Tabellenblatt (XLSX)")

    def handle(self, *args, path, sheet, **options):
        try:
            description = onboarding.describe_file(path, sheet=sheet or None)
        except FileNotFoundError:
            raise CommandError(f"Die Datei „{path}“ gibt es nicht.")
        except onboarding.SchemaRejected as rejected:
            raise CommandError(" ".join(rejected.problems))
        self.stdout.write(json.dumps(description, ensure_ascii=False, indent=2))
