"""Compute, review and publish one table from the command line (the statistics office's
worker host): `manage.py publish_table <slug> --user NAME [--reviewer NAME]`."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from statistics_office.tables import services
from statistics_office.tables.models import TableComputation, TableDefinition


class Command(BaseCommand):
    help = "Berechnet eine Tabelle, lässt sie prüfen und veröffentlicht sie."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--user", required=True, help="berechnet und veröffentlicht")
        parser.add_argument("--reviewer", help="zweite Person der Statistikstelle (prüft)")

    def handle(self, slug, user, reviewer=None, **options):
        users = get_user_model().objects
        definition = TableDefinition.objects.filter(slug=slug).first()
        if definition is None:
            raise CommandError(f"Keine Tabelle mit der Kennung „{slug}“.")
        try:
            person = users.get(username=user)
            checker = users.get(username=reviewer) if reviewer else None
        except users.model.DoesNotExist as exc:
            raise CommandError(f"Unbekannte Person: {exc}")
        try:
            with transaction.atomic():
                computation = services.request_computation(definition, person)
            computation.refresh_from_db()
            if computation.status in (
                TableComputation.Status.QUEUED,
                TableComputation.Status.RUNNING,
            ):
                # no broker here or the task not yet run: compute in this process
                services.execute_computation(computation.pk)
                computation.refresh_from_db()
            if computation.status == TableComputation.Status.FAILED:
                raise CommandError(f"Berechnung fehlgeschlagen: {computation.message}")
            if checker is None:
                self.stdout.write(
                    f"Berechnung {computation.pk} wartet auf die Prüfung durch eine zweite Person "
                    "(--reviewer)."
                )
                return
            services.review(computation, checker, approve=True, comment="publish_table")
            published = services.publish(computation, person)
        except (PermissionDenied, services.TableError) as exc:
            raise CommandError(str(exc))
        self.stdout.write(
            f"Version {published.version} veröffentlicht; "
            f"{published.suppression_count} Felder gesperrt."
        )
