"""manage.py seed_demo: the synthetic demo city of Flensburg."""

from django.core.management.base import BaseCommand

from bif import seeding


class Command(BaseCommand):
    help = "Legt die Demo-Stadt Flensburg an (Fachbereiche, Datenquellen, Benutzer, Daten)."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="nur, wenn noch leer")
        parser.add_argument("--residents", type=int, default=98_800)
        parser.add_argument(
            "--years", default="2021,2022,2023,2024,2025", help="Stichtagsjahre, kommagetrennt"
        )
        parser.add_argument("--no-load", action="store_true", help="nur Dateien erzeugen")

    def handle(self, *args, if_empty, residents, years, no_load, **options):
        if if_empty and seeding.demo_is_seeded():
            self.stdout.write("Demo-Stadt ist bereits angelegt.")
        else:
            seeding.seed(
                residents=residents,
                years=tuple(int(y) for y in years.split(",")),
                load=not no_load,
                stdout=self.stdout,
            )
            self.stdout.write(self.style.SUCCESS("Demo-Stadt Flensburg angelegt."))
        self.stdout.write(f"\nDemo-Anmeldungen (Passwort für alle: {seeding.DEMO_PASSWORD}):")
        for username, _name, role, department in seeding.DEMO_USERS:
            suffix = f" ({department})" if department else ""
            self.stdout.write(f"  {username:<14} {role}{suffix}")
        self.stdout.write("\nPortal: http://127.0.0.1:8000/")
