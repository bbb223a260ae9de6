"""Every builder query leaves an audit entry: who, what, result size, refused or not."""

from django.utils import timezone

from bif import audit

from .models import BuilderQuery

Status = BuilderQuery.Status


def record_audit(query, *, status, refusal="", cells=0):
    """Who, what (item keys and filter fields, never filter values), result size, refused."""
    spec = query.spec or {}
    audit.record(
        action=audit.Action.AGGREGATION_RUN,
        user=query.user,
        obj=query,
        source=query.source,
        outcome=audit.Outcome.OK if status == Status.DONE else audit.Outcome.DENIED,
        details={
            "kind": "table_builder",
            "query_id": query.pk,
            "rows": list(spec.get("rows") or []),
            "columns": list(spec.get("columns") or []),
            "filter_items": [f.get("item") for f in spec.get("filters") or []],
            "cells": cells,
            "refused": refusal or (status != Status.DONE and "failed") or "",
            "at": timezone.now().isoformat(),
        },
    )
