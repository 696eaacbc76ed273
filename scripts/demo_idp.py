"""A university identity provider on your machine, for trying "Sign in with <university>" on the
demo: an OpenID Connect provider (the one the tests sign in against, ``tests/oidc_provider.py``) on
http://127.0.0.1:8090 that asks which demo person is signing in instead of a password.

    make demo-idp          # in one terminal
    make run-sso           # in another: the demo site with its button pointed here

The people: a new student (made a learner with her student ID on first sign-in), the demo
learner's account (linked by its verified email, keeping its awards) and a faculty member.
Never for production: anyone who reaches it signs in as anyone it lists.
"""

import contextlib
import html
import os
import sys
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.oidc_provider import OIDCProvider

PORT = int(os.environ.get("IDP_PORT", "8090"))
SITE = os.environ.get("PUBLIC_BASE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '8000')}")
CLIENT_ID, CLIENT_SECRET = "microcred-demo", "demo-secret"  # a demo on loopback only

PEOPLE = [
    {
        "sub": "demo-student-maya",
        "given_name": "Maya",
        "family_name": "Okafor",
        "email": "maya.okafor@demo.invalid",
        "email_verified": True,
        "eduperson_affiliation": ["student", "member"],
        "student_id": "B00999001",
        "department": "School of Management",
    },
    {
        "sub": "demo-learner-leo",
        "given_name": "Leo",
        "family_name": "Martins",
        "email": "learner@demo.invalid",
        "email_verified": True,
        "eduperson_affiliation": ["student"],
        "student_id": "B00012345",
    },
    {
        "sub": "demo-faculty-fatima",
        "given_name": "Fatima",
        "family_name": "Ortiz",
        "email": "faculty@demo.invalid",
        "email_verified": True,
        "eduperson_affiliation": ["faculty", "member"],
    },
]


class DemoProvider(OIDCProvider):
    """The tests' provider with a page that asks who signs in (``?as=<n>`` answers it)."""

    def chooser(self, query):
        links = "".join(
            f'<li><a href="/authorize?{html.escape(query)}&amp;as={n}">{html.escape(p["given_name"])} '
            f"{html.escape(p['family_name'])}</a> ({html.escape(', '.join(p['eduperson_affiliation']))}"
            f"{', student ID ' + html.escape(p['student_id']) if p.get('student_id') else ''})</li>"
            for n, p in enumerate(PEOPLE)
        )
        return (
            "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Demo university sign-in</title>"
            "</head><body><h1>Demo university sign-in</h1><p>Who is signing in? (A demo: no password.)</p>"
            f"<ul>{links}</ul></body></html>"
        )

    def start(self, port=0):
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._demo_handler())
        return self

    def _demo_handler(self):
        provider, base = self, self._handler()

        class Handler(base):
            def do_GET(self):
                url = urlparse(self.path)
                choice = parse_qs(url.query).get("as", [""])[0]
                if url.path == "/authorize" and not choice.isdigit():
                    page = provider.chooser(url.query).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(page)))
                    self.end_headers()
                    self.wfile.write(page)
                    return
                if url.path == "/authorize":
                    provider.person = PEOPLE[int(choice) % len(PEOPLE)]
                    rest = {k: v for k, v in parse_qs(url.query).items() if k != "as"}
                    self.path = f"/authorize?{urlencode(rest, doseq=True)}"
                super().do_GET()

        return Handler


def main():
    provider = DemoProvider(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri=f"{SITE}/learners/oidc/university/login/callback/",
    ).start(PORT)
    print(f"Demo university sign-in at {provider.issuer} for {SITE}. Run the site with:")
    print(
        f"  SSO_OIDC_ISSUER={provider.issuer} SSO_OIDC_CLIENT_ID={CLIENT_ID} SSO_OIDC_CLIENT_SECRET={CLIENT_SECRET}"
    )
    print("Ctrl-C stops it.")
    with contextlib.suppress(KeyboardInterrupt):
        provider._server.serve_forever()


if __name__ == "__main__":
    main()
