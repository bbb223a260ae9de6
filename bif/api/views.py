"""The page where a logged-in person creates, replaces or deletes their own API token."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import services


@never_cache
@require_http_methods(["GET", "POST"])
def token_page(request):
    new_key = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "issue":
            new_key = services.issue_token(request.user, request=request).key
        elif action == "delete":
            if services.delete_token(request.user, request=request):
                messages.success(request, _("Ihr API-Token wurde gelöscht."))
            return redirect("api-token")
        else:
            return redirect("api-token")
    # A new key is rendered in this answer only (no redirect, never cached), never stored
    # in the session or a message.
    return render(
        request,
        "api/token.html",
        {"token": services.token_of(request.user), "new_key": new_key},
    )
