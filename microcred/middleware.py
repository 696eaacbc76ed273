from django.shortcuts import render


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
