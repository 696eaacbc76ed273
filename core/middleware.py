from django.conf import settings
from django.shortcuts import render


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body is larger than any upload allows before anything reads
    it (CSRF checking reads a form's body, so this comes first): the server neither stores nor
    parses a gigabyte someone sends. The front-end web server should enforce the same limit
    (nginx's ``client_max_body_size``) so that such a body never reaches the application at all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            limit_mb = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
            response = render(request, "errors/413.html", {"limit_mb": limit_mb}, status=413)
            response["Connection"] = "close"  # the unread body is not waited for
            return response
        return self.get_response(request)


class FriendlyMethodNotAllowedMiddleware:
    """Django answers a GET on a form-only address with an empty 405, which browsers show as their
    own error page. Give people the product's page instead, keeping the status and Allow header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content:
            friendly = render(request, "errors/405.html", status=405)
            friendly["Allow"] = response.get("Allow", "")
            return friendly
        return response


class PermissionsPolicyMiddleware:
    """The product uses no camera, microphone, location, payment or USB: say so to the browser."""

    POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.POLICY)
        return response


class SessionLifetimeMiddleware:
    """A session ends after ``SESSION_IDLE_MINUTES`` without a request, and after
    ``SESSION_MAX_HOURS`` (a working day by default) however active it is. The times are written at
    login (``stamp_session``) and the last activity at most every few minutes, so that a request
    does not rewrite the session each time."""

    STARTED = "microcred_session_started"
    SEEN = "microcred_session_seen"
    REFRESH_SECONDS = 300

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import time

        from django.conf import settings
        from django.contrib.auth import logout

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            started = request.session.get(self.STARTED, now)
            seen = request.session.get(self.SEEN, now)
            if (
                now - started > settings.SESSION_MAX_HOURS * 3600
                or now - seen > settings.SESSION_IDLE_MINUTES * 60
            ):
                logout(request)
            elif now - seen > self.REFRESH_SECONDS:
                request.session[self.SEEN] = now
        return self.get_response(request)


def stamp_session(sender, request, user, **kwargs):
    """``user_logged_in`` receiver (connected in ``core.apps``): when the session starts."""
    import time

    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SessionLifetimeMiddleware.STARTED] = now
        request.session[SessionLifetimeMiddleware.SEEN] = now


class LocalHealthCheckMiddleware:
    """Answers ``/healthz`` from the machine itself before the host check and the HTTPS redirect: a
    container's health check asks ``http://127.0.0.1:8000/healthz``, which production settings would
    otherwise answer 400 (127.0.0.1 is not an allowed host) or 301 (to https), so the container never
    turned healthy. From anywhere else the probe goes through every check as any request does."""

    PATH = "/healthz"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == self.PATH and request.META.get("REMOTE_ADDR") in ("127.0.0.1", "::1"):
            from django.urls import resolve

            return resolve(self.PATH).func(request)
        return self.get_response(request)
