"""The privacy page, a member's own data, and deleting one's account."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from .export import member_data
from .forms import DeleteAccountForm
from .services import AccountDeletionError, account_delete, running_pairs


@require_GET
def privacy_page(request: HttpRequest) -> HttpResponse:
    """Public: what the program keeps, for how long, who sees it, how to get it or delete it."""
    return render(
        request,
        "privacy/privacy.html",
        {"retention_days": settings.RETENTION_DAYS},
    )


@login_required
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "privacy/my_data.html",
        {"in_running_pair": running_pairs(request.user).exists()},
    )


@login_required
@require_GET
def download(request: HttpRequest) -> HttpResponse:
    data = {
        "exported_at": timezone.now().isoformat(),
        "program": settings.PROGRAM_NAME,
        **member_data(request.user),
    }
    response = HttpResponse(
        json.dumps(data, indent=2, cls=DjangoJSONEncoder, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="my-data-{day}.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    in_running_pair = running_pairs(request.user).exists()
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            account_delete(user=request.user)
        except AccountDeletionError as exc:
            form.add_error(None, str(exc))
        else:
            logout(request)
            messages.success(
                request,
                "Your account is deleted and your private data removed. Thank you for taking "
                "part in the program.",
            )
            return redirect("privacy:page")
    return render(
        request,
        "privacy/delete_account.html",
        {"form": form, "in_running_pair": in_running_pair},
    )
