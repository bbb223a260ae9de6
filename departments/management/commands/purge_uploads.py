from django.core.management.base import BaseCommand

from departments import retention


class Command(BaseCommand):
    help = (
        "Löscht hochgeladene Exporte beendeter Importläufe nach der Aufbewahrungsfrist "
        "(IMPORT_UPLOAD_RETENTION_DAYS) und Dateien ohne Importlauf."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Aufbewahrungsfrist in Tagen")

    def handle(self, *args, days=None, **options):
        report = retention.purge_uploads(retention_days=days)
        self.stdout.write(
            f"Gelöscht: {report.run_files} Dateien beendeter Importläufe, "
            f"{report.orphan_files} Dateien ohne Importlauf, {report.bytes_freed} Bytes."
        )
