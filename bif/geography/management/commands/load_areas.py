"""manage.py load_areas FOLDER: load a Gebietsstand (ebenen.csv, gebiete.csv, <ebene>.geojson,
optional aenderungen.csv, adressen.csv) and klassifikationen.csv, all or nothing."""

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
        try:
            counts = services.load_package(files, tolerance=tolerance, check_only=check)
        except services.AreaFilesRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(rejected.problems)} Befund(e); nichts gespeichert.") from None
        if check:
            self.stdout.write("Gebietsstand geprüft: keine Befunde.")
            return
        self.stdout.write(
            f"Gebietsstand geladen: {counts['levels']} Ebenen, {counts['units']} Gebiete, "
            f"{counts['changes']} Gebietsänderungen, {counts['addresses']} Adressen, "
            f"{counts['classifications']} Klassifikationspositionen."
        )
