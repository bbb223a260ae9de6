"""Check that no audit entry was altered or removed; exits non-zero if one was."""

from django.core.management.base import BaseCommand, CommandError

from bif.audit import verify_chain


class Command(BaseCommand):
    help = "Prüft die Hash-Kette des Audit-Logs der Statistikstelle."

    def handle(self, *args, **options):
        result = verify_chain()
        if result.ok:
            self.stdout.write(
                self.style.SUCCESS(f"Audit-Log geprüft: {result.checked} Einträge, unverändert.")
            )
            return
        for problem in result.problems:
            self.stderr.write(problem)
        raise CommandError(
            f"Audit-Log geprüft: {result.checked} Einträge, {len(result.problems)} Befunde. "
            "Das Audit-Log wurde verändert."
        )
