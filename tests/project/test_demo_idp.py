"""`make demo-idp`: the demo's university sign-in asks who signs in and answers as a provider does."""

import importlib.util
import threading
from pathlib import Path
from urllib.parse import urlencode

import requests

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "demo_idp.py"


def load():
    spec = importlib.util.spec_from_file_location("demo_idp", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_demo_provider_asks_who_signs_in_then_hands_back_a_code():
    demo = load()
    redirect = "http://127.0.0.1:8000/learners/oidc/university/login/callback/"
    provider = demo.DemoProvider(client_id="c", client_secret="s", redirect_uri=redirect).start(0)
    threading.Thread(target=provider._server.serve_forever, daemon=True).start()
    try:
        query = urlencode(
            {
                "client_id": "c",
                "redirect_uri": redirect,
                "response_type": "code",
                "scope": "openid",
                "code_challenge": "x" * 43,
                "code_challenge_method": "S256",
                "state": "st",
            }
        )
        chooser = requests.get(f"{provider.issuer}/authorize?{query}", timeout=5)
        chosen = requests.get(f"{provider.issuer}/authorize?{query}&as=0", allow_redirects=False, timeout=5)
    finally:
        provider.stop()

    assert chooser.status_code == 200 and "Maya" in chooser.text and "&amp;as=2" in chooser.text
    assert chosen.status_code == 302 and chosen.headers["Location"].startswith(redirect + "?code=")
    assert provider.person["student_id"] == "B00999001"
