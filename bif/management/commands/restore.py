"""manage.py restore <directory>: a backup onto a fresh instance, then its proof
(bif/restore.py)."""

from django.core.management.base import BaseCommand, CommandError

from bif.backup import BackupError
from bif.restore import restore_backup


class Command(BaseCommand):
    help = (
        "Stellt eine Sicherung in einer frischen Instanz wieder her und prüft danach "
        "Audit-Log und Zeilenzahlen. Siehe docs/OPERATIONS.md."
    )
    # The target databases are empty until the restore: no check may query them before.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("directory", help="Verzeichnis der Sicherung (mit manifest.json)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="auch in eine nicht leere Instanz: ersetzt deren Datenbanken und Dateien",
        )

    def handle(self, *args, directory, force, **options):
        try:
            report = restore_backup(directory, force=force, say=self.stdout.write)
        except BackupError as error:
            raise CommandError(f"Wiederherstellung abgebrochen: {error}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Wiederhergestellt: {directory}\n"
                f"  Audit-Log geprüft: {report['audit_entries']} Einträge, unverändert; "
                f"Stand der Sicherung {report['audit_head']}\n"
                f"  Tabellen: {report['tables']['default']} (Portal), "
                f"{report['tables']['sealed']} (abgeschottet), Zeilenzahlen wie gesichert.\n"
                f"  Dateien: {report['files']}"
            )
        )
        if report["pending_migrations"]:
            self.stdout.write(
                "Diese BIF-Version hat neuere Migrationen; bitte jetzt ausführen:\n"
                "  manage.py migrate && manage.py migrate --database sealed"
            )
