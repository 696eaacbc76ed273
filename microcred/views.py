from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache

from .home import workspace


@login_required
def home(request):
    space = workspace(request.user)
    # The workspace uses the width of the screen up to Bootstrap's widest container.
    return render(
        request, "home.html", {"roles": space.roles, "space": space, "container_class": "container-xxl"}
    )


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: send them to the SVG icon."""
    return redirect(static("favicon.svg"))


@never_cache
def healthz(request):
    """Liveness and database check for the load balancer and the compose health check."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    """Readiness: each dependency's state (``microcred.health``); 503 when one is not ready."""
    from . import health

    report = health.as_json(health.readiness())
    return JsonResponse(report, status=200 if report["ready"] else 503)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def csrf_failure(request, reason=""):
    return render(request, "errors/csrf.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    # Rendered without a request context: a broken context processor must not hide the error page.
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("errors/500.html").render())
