"""manage.py load_ptable NAME FILE --user USER: the office's own perturbation table."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from statistics_office.tables import ptables


class Command(BaseCommand):
    help = (
        "Lädt eine Überlagerungstabelle "
        "(Format des R-Pakets ptable: i, j, p, v, p_int_lb, p_int_ub)."
    )

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("file")
        parser.add_argument("--user", required=True)
        parser.add_argument("--description", default="")

    def handle(self, *args, name, file, user, description, **options):
        account = get_user_model().objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"Unbekannter Benutzer „{user}“.")
        try:
            table = ptables.load(name=name, path=file, user=account, description=description)
        except (ptables.PerturbationTableError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc
        verdict = "erreicht" if table.meets_variance else "nicht in jeder Klasse erreicht"
        self.stdout.write(
            f"Überlagerungstabelle „{table.name}“ geladen: D={table.max_noise}, "
            f"V={table.variance:g}, js={table.threshold}; Varianz {verdict}."
        )
