from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .services import reminders_enabled_for, reminders_set, unsubscribe_user_for


# Mail clients' one-click unsubscribe POSTs here without a CSRF token; the signed token in the
# URL is what proves the request comes from the member's own email.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Turn reminders off from an email link, without signing in. GET asks; POST does it."""
    user = unsubscribe_user_for(token)
    if user is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
    done = False
    if request.method == "POST":
        reminders_set(user=user, enabled=False)
        done = True
    return render(
        request,
        "notifications/unsubscribe.html",
        {"email": user.email, "done": done, "enabled": reminders_enabled_for(user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        enabled = request.POST.get("reminders_enabled") == "on"
        reminders_set(user=request.user, enabled=enabled)
        messages.success(
            request,
            "Reminders are on."
            if enabled
            else "Reminders are off. Announcements "
            "about your application and your match still reach you.",
        )
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"enabled": reminders_enabled_for(request.user)},
    )
