"""Project-level tasks: a ping that proves the worker round trip (used by tests and health)."""

from celery import shared_task


@shared_task(name="bif.ping")
def ping(payload="pong"):
    return {"reply": payload}
