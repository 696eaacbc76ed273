"""A stand-in for Credly's API: a real HTTP server on 127.0.0.1, answering from a script.

Each test queues the answers it wants (status, headers, body) with ``answer``; once the queue is
empty, issuing a badge succeeds with a fresh badge id and revoking succeeds. Every request is kept
(method, path, Authorization header, JSON body) for the test to look at.
"""

import json
import threading
import uuid
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    method: str
    path: str
    authorization: str
    body: dict


@dataclass
class Answer:
    status: int
    body: object = None
    headers: dict | None = None


class FakeCredly:
    def __init__(self):
        self.requests = []
        self._answers = deque()
        self._lock = threading.Lock()
        self._server = None
        self._thread = None

    @property
    def url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def answer(self, status, body=None, headers=None):
        """Queue the answer to the next request not yet answered."""
        with self._lock:
            self._answers.append(Answer(status, body, headers))

    def start(self):
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _respond(self, received):
        with self._lock:
            self.requests.append(received)
            if self._answers:
                return self._answers.popleft()
        if received.method == "POST" and received.path.endswith("/badges"):
            return Answer(201, {"data": {"id": str(uuid.uuid4()), "state": "pending"}})
        return Answer(200, {"data": {"state": "revoked"}})


def _handler(fake):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else {}
            except ValueError:
                body = {"unparsed": raw.decode("utf-8", "replace")}
            answer = fake._respond(
                Received(self.command, self.path, self.headers.get("Authorization", ""), body)
            )
            payload = b"" if answer.body is None else json.dumps(answer.body).encode()
            self.send_response(answer.status)
            for name, value in (answer.headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_POST = do_PUT = do_GET = _serve

        def log_message(self, format, *args):  # quiet test output
            pass

    return Handler
