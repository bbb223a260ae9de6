"""manage.py import_file <source-slug> <path> [--user NAME]: an upload from the shell."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from departments import selectors, uploads
from departments.importing.findings import from_stored
from departments.importing.messages import describe
from departments.models import DataSource, ImportRun


class Command(BaseCommand):
    help = "Liest einen Export über dieselbe Prüf- und Ladestrecke ein wie ein Upload."

    def add_arguments(self, parser):
        parser.add_argument("source", help="Kennung der Datenquelle")
        parser.add_argument("path", help="Pfad zur CSV- oder XLSX-Datei")
        parser.add_argument("--user", help="Benutzername (muss für die Quelle hochladen dürfen)")
        parser.add_argument("--sheet", default="", help="Tabellenblatt (XLSX)")

    def handle(self, *args, source, path, user, sheet, **options):
        try:
            data_source = DataSource.objects.get(slug=source)
        except DataSource.DoesNotExist:
            raise CommandError(f"Datenquelle „{source}“ gibt es nicht.")
        uploader = None
        if user:
            uploader = get_user_model().objects.filter(username=user).first()
            if uploader is None:
                raise CommandError(f"Benutzer „{user}“ gibt es nicht.")
            if (
                not selectors.data_sources_for(uploader, "upload")
                .filter(pk=data_source.pk)
                .exists()
            ):
                raise CommandError(f"„{user}“ darf für „{source}“ nicht hochladen.")
        try:
            run = uploads.submit_path(
                source=data_source, path=path, uploaded_by=uploader, sheet=sheet
            )
        except uploads.ImportRejected as rejected:
            raise CommandError(str(rejected))
        except FileNotFoundError:
            raise CommandError(f"Datei „{path}“ nicht gefunden.")
        run.refresh_from_db()
        self.stdout.write(
            f"Importlauf {run.pk}: {run.get_status_display()} ({run.status}), "
            f"{run.row_count or 0} Zeilen"
        )
        for data in selectors.run_findings(run):
            finding = from_stored(data)
            self.stdout.write(f"  [{data['severity']}] {describe(finding)}")
        if run.status in (ImportRun.Status.FAILED, ImportRun.Status.CANCELLED):
            raise CommandError(run.message or "Der Import wurde abgelehnt (siehe Befunde).")
