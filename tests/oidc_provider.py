"""An OpenID Connect provider for the tests: a real HTTP server on 127.0.0.1 with an RSA key of its
own, publishing its discovery document and keys, and answering the authorization code flow as an
identity provider does: it checks the client, the redirect URI and PKCE (S256, the verifier against
the challenge), hands out each code once, and signs ID tokens (RS256) carrying the nonce it was
asked for.

The person it signs in is ``provider.person`` (their claims); ``provider.misbehave`` alters the
next ID tokens (another ``iss``, another ``nonce``, an ``exp`` in the past) so that a test can see
the product refuse them.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class OIDCProvider:
    def __init__(self, *, client_id, client_secret, redirect_uri):
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.person = {}
        self.misbehave = {}
        self.token_requests = []
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._kid = "test-key-1"
        self._codes = {}
        self._access = {}
        self._lock = threading.Lock()
        self._server = None

    @property
    def issuer(self):
        host, port = self._server.server_address
        return f"http://{host}:{port}"

    def start(self):
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    # --- the endpoints ---------------------------------------------------------------------------

    def discovery(self):
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwks(self):
        jwk = json.loads(RSAAlgorithm.to_jwk(self._key.public_key()))
        return {"keys": [{**jwk, "kid": self._kid, "alg": "RS256", "use": "sig"}]}

    def authorize(self, query):
        """Sign ``self.person`` in at once (no login page), as after the person has logged in."""
        q = {k: v[0] for k, v in parse_qs(query).items()}
        if q.get("client_id") != self.client_id or q.get("redirect_uri") != self.redirect_uri:
            return 400, {"error": "invalid_client"}, None
        if q.get("response_type") != "code" or "openid" not in q.get("scope", "").split():
            return 400, {"error": "invalid_request"}, None
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return 400, {"error": "invalid_request", "error_description": "PKCE required"}, None
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = {
                "challenge": q["code_challenge"],
                "nonce": q.get("nonce"),
                "person": dict(self.person),
            }
        location = f"{self.redirect_uri}?{urlencode({'code': code, 'state': q.get('state', '')})}"
        return 302, None, location

    def token(self, form, authorization):
        f = {k: v[0] for k, v in parse_qs(form).items()}
        self.token_requests.append(f)
        client_id, secret = f.get("client_id"), f.get("client_secret")
        if authorization.startswith("Basic "):
            client_id, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
        if (client_id, secret) != (self.client_id, self.client_secret):
            return 401, {"error": "invalid_client"}
        with self._lock:
            grant = self._codes.pop(f.get("code", ""), None)
        if grant is None or f.get("redirect_uri") != self.redirect_uri:
            return 400, {"error": "invalid_grant"}
        verifier = f.get("code_verifier", "")
        if _b64(hashlib.sha256(verifier.encode()).digest()) != grant["challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verifier does not match"}
        now = int(time.time())
        claims = {
            **grant["person"],
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
        }
        if "exp" in self.misbehave:
            claims["exp"] = now + self.misbehave["exp"]
        claims.update({k: v for k, v in self.misbehave.items() if k in {"iss", "nonce", "aud"}})
        id_token = jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self._kid})
        if self.misbehave.get("tamper"):
            head, _body, signature = id_token.split(".")
            forged = {**claims, "sub": self.misbehave["tamper"]}
            id_token = ".".join([head, _b64(json.dumps(forged).encode()), signature])
        access = secrets.token_urlsafe(24)
        with self._lock:
            self._access[access] = grant["person"]
        return 200, {"access_token": access, "token_type": "Bearer", "expires_in": 300, "id_token": id_token}

    def userinfo(self, authorization):
        with self._lock:
            person = self._access.get(authorization.removeprefix("Bearer "))
        if person is None:
            return 401, {"error": "invalid_token"}
        return 200, person

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body=None, location=None):
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                payload = json.dumps(body or {}).encode()
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self):
                url = urlparse(self.path)
                auth = self.headers.get("Authorization", "")
                if url.path == "/.well-known/openid-configuration":
                    self._send(200, provider.discovery())
                elif url.path == "/jwks":
                    self._send(200, provider.jwks())
                elif url.path == "/authorize":
                    status, body, location = provider.authorize(url.query)
                    self._send(status, body, location)
                elif url.path == "/userinfo":
                    self._send(*provider.userinfo(auth))
                else:
                    self._send(404, {"error": "not_found"})

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = self.rfile.read(length).decode()
                if urlparse(self.path).path == "/token":
                    self._send(*provider.token(form, self.headers.get("Authorization", "")))
                else:
                    self._send(404, {"error": "not_found"})

        return Handler
