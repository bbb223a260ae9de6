"""Reads of the table builder: a person's own queries and saved queries, and for the office
the unusual patterns (many queries differing by one small category, many refusals)."""

import datetime

from django.utils import timezone

from . import rules
from .models import BuilderQuery, Proposal, SavedQuery


def own_queries(user):
    return BuilderQuery.objects.filter(user=user).select_related("source")


def saved_queries(user):
    return SavedQuery.objects.filter(user=user).select_related("source")


def open_proposals():
    return Proposal.objects.filter(status=Proposal.Status.OPEN).select_related(
        "proposed_by", "source"
    )


def unusual_patterns(*, days=7, min_pairs=2, min_refused=3):
    """Per person, source and day: queries, refusals and pairs of queries that differ by one
    filter category; listed when pairs or refusals reach the given numbers."""
    since = timezone.now() - datetime.timedelta(days=days)
    groups = {}
    rows = BuilderQuery.objects.filter(created_at__gte=since).values_list(
        "user_id", "user__username", "source_id", "source__name", "created_at", "spec", "refusal"
    )
    for user_id, username, source_id, source_name, created, spec, refusal in rows:
        day = timezone.localtime(created).date()
        group = groups.setdefault(
            (user_id, source_id, day),
            {
                "username": username,
                "source": source_name,
                "day": day,
                "specs": [],
                "refused": 0,
                "related_refused": 0,
            },
        )
        group["specs"].append(spec)
        group["refused"] += bool(refusal)
        group["related_refused"] += refusal == BuilderQuery.Refusal.RELATED
    patterns = []
    for group in groups.values():
        pairs = rules.related_pairs(group["specs"])
        if pairs >= min_pairs or group["refused"] >= min_refused:
            patterns.append(
                {
                    "username": group["username"],
                    "source": group["source"],
                    "day": group["day"],
                    "queries": len(group["specs"]),
                    "one_category_pairs": pairs,
                    "refused": group["refused"],
                    "related_refused": group["related_refused"],
                }
            )
    return sorted(patterns, key=lambda p: (p["day"], p["one_category_pairs"]), reverse=True)
