"""manage.py backup <directory>: both databases and the files, consistently (bif/backup.py)."""

from django.core.management.base import BaseCommand, CommandError

from bif.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Sichert beide Datenbanken, Uploads und Nachweisdateien in ein neues Verzeichnis. "
        "Importe pausieren währenddessen. Siehe docs/OPERATIONS.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="neues, leeres Zielverzeichnis")
        parser.add_argument(
            "--wait",
            type=float,
            default=0,
            metavar="SEKUNDEN",
            help="so lange warten, bis laufende oder eingereihte Importe fertig sind",
        )

    def handle(self, *args, directory, wait, **options):
        try:
            manifest = create_backup(directory, wait_seconds=wait, say=self.stdout.write)
        except BackupError as error:
            raise CommandError(f"Keine Sicherung: {error}")
        summary, audit = manifest["summary"], manifest["audit"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Sicherung geschrieben: {directory}\n"
                f"  Audit-Log: {audit['entries']} Einträge, Stand Nr. {audit['head_sequence']} "
                f"{audit['head_hash']}\n"
                f"  Einzeldaten: {summary['microdata_tables']} Tabellen, "
                f"{summary['microdata_rows']} Zeilen; Dateien: {summary['files']}\n"
                f"  SHA-256 von manifest.json: {manifest['manifest_sha256']}\n"
                "  Die Datei sealed.* enthält Einzeldaten: nur unter Kontrolle der "
                "Statistikstelle und verschlüsselt aufbewahren."
            )
        )
