"""Snippets other pages include: a source's quality history and the dashboard feedback form."""

from django import template

from .. import selectors
from ..forms import FeedbackForm

register = template.Library()


@register.inclusion_tag("rollout/_source_quality.html")
def source_quality(source):
    return {"quality": selectors.source_quality(source)}


@register.inclusion_tag("rollout/_feedback_form.html", takes_context=True)
def feedback_form(context, dashboard):
    return {
        "dashboard": dashboard,
        "form": FeedbackForm(auto_id=f"feedback-{dashboard.pk}-%s"),
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
    }
