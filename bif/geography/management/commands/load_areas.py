"""manage.py load_areas FOLDER: load a Gebietsstand (ebenen.csv, gebiete.csv, <ebene>.geojson)."""

from django.core.management.base import BaseCommand, CommandError

from bif.geography import services


class Command(BaseCommand):
    help = "Lädt einen Gebietsstand (Ebenen, Gebiete, Geometrien) aus einem Ordner."

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument("--check", action="store_true", help="nur prüfen, nichts speichern")
        parser.add_argument(
            "--tolerance",
            type=float,
            default=services.TOLERANCE,
            help="erlaubte Lücke/Überlappung als Anteil der Fläche (Standard 0,001)",
        )

    def handle(self, folder, check, tolerance, **options):
        try:
            files = services.read_folder(folder)
        except OSError as error:
            raise CommandError(f"Ordner „{folder}“ nicht lesbar: {error.strerror}") from None
        if check:
            _parsed, problems = services.check(files, tolerance=tolerance)
            for problem in problems:
                self.stderr.write(problem)
            if problems:
                raise CommandError(f"{len(problems)} Befund(e); nichts gespeichert.")
            self.stdout.write("Gebietsstand geprüft: keine Befunde.")
            return
        try:
            counts = services.load_areas(files, tolerance=tolerance)
        except services.AreaFilesRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(rejected.problems)} Befund(e); nichts gespeichert.") from None
        self.stdout.write(
            f"Gebietsstand geladen: {counts['levels']} Ebenen, {counts['units']} Gebiete, "
            f"{counts['changes']} Gebietsänderungen."
        )
