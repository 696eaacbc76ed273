"""Benchmark: the site keeps answering other pages while attackers post hostile credentials to the
public verify page.

Builds a throw-away SQLite database with the demo site (``BENCH_DATABASE_URL=postgres://…/name`` for
PostgreSQL), serves it with gunicorn in production mode (``BENCH_WORKERS`` sync workers, default 3)
and runs three phases of ``BENCH_VERIFY_SECONDS`` (default 20) each:

1. quiet: one visitor reads pages one after another (sign-in, catalog, an award's public page, the
   issuer document, the verify form, the health check);
2. the same visitor while ``BENCH_ATTACKERS`` (default 3, one per worker) post hostile credentials
   in a loop, each from its own loopback address, with the rate limit out of reach: what the work
   budget alone holds (many addresses, as from a botnet);
3. the same with the rate limit as shipped (``VERIFY_UPLOADS_PER_MINUTE``, 10 a minute per address),
   counted in Redis when one answers on 127.0.0.1:6379 (as in production), else per process.

Prints the visitor's latency per phase and, per hostile document, how the page answered and how
long it took. Figures, not a test: nothing here fails on a number. Run with ``make bench-verify``.
"""

import http.client
import json
import os
import re
import secrets
import socket
import statistics
import threading
import time
import uuid
from collections import Counter, defaultdict

from benchdb import collect_static, serve, throwaway_environment

folder = throwaway_environment()
os.environ.pop("CELERY_BROKER_URL", None)

import django  # noqa: E402

django.setup()

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from django.core.management import call_command  # noqa: E402

SECONDS = float(os.environ.get("BENCH_VERIFY_SECONDS", "20"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))
ATTACKERS = int(os.environ.get("BENCH_ATTACKERS", str(WORKERS)))
REDIS_URL = "redis://127.0.0.1:6379/13"


# --- the hostile documents -------------------------------------------------------------------------------


def clique(size, prefix):
    return [
        {
            "id": f"_:{prefix}{i}",
            "https://example.org/knows": [{"id": f"_:{prefix}{j}"} for j in range(size) if j != i],
        }
        for i in range(size)
    ]


def documents():
    """(label, JSON bytes): a genuine did:key credential, then the attacks issue 21 measured."""
    from badges.issuing import keys, signing
    from badges.issuing.jsonld import OB_V3, VC_V2

    private_key = Ed25519PrivateKey.generate()
    multibase = keys.multikey(private_key.public_key())
    did = f"did:key:{multibase}"
    genuine = signing.sign(
        {
            "@context": [VC_V2, OB_V3],
            "id": f"urn:uuid:{uuid.uuid4()}",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": "Open Source Contributor",
            "issuer": {"id": did, "type": ["Profile"], "name": "Example Community College"},
            "validFrom": "2025-01-15T10:00:00Z",
            "credentialSubject": {
                "type": ["AchievementSubject"],
                "name": "Mallory Attacker",
                "achievement": {
                    "id": "https://example.org/achievements/open-source",
                    "type": ["Achievement"],
                    "name": "Open Source Contributor",
                    "description": "Contributed reviewed changes to an open-source project.",
                    "criteria": {"narrative": "Three merged pull requests."},
                },
            },
        },
        private_key=private_key,
        verification_method=f"{did}#{multibase}",
        created="2025-01-15T10:00:00Z",
    )

    def changed(change):
        document = json.loads(json.dumps(genuine))
        change(document)
        return document

    proof = genuine["proof"][0]
    attacks = {
        "20,000 strings in one array": lambda d: d["credentialSubject"]["achievement"].update(
            tag=[f"skill {n}" for n in range(20_000)]
        ),
        "19 arrays of 255 in an array": lambda d: d["credentialSubject"].update(
            {"https://example.org/n": [[f"v{i}-{j}" for i in range(255)] for j in range(19)]}
        ),
        "22 proofs, a 6-clique each": lambda d: d.update(
            proof=[{**proof, "https://example.org/friends": clique(6, f"p{n}b")} for n in range(22)]
        ),
        "20 six-node cliques": lambda d: d["credentialSubject"].update(
            {"https://example.org/friends": [node for n in range(20) for node in clique(6, f"c{n}b")]}
        ),
        "a nine-node clique": lambda d: d["credentialSubject"].update(
            {"https://example.org/friends": clique(9, "b")}
        ),
    }
    from badges.issuing.documents import institution_name

    spoofed = signing.sign(
        {
            **{k: v for k, v in genuine.items() if k != "proof"},
            "issuer": {**genuine["issuer"], "name": institution_name()},
        },
        private_key=private_key,
        verification_method=f"{did}#{multibase}",
        created="2025-01-15T10:00:00Z",
    )
    built = [("genuine did:key credential", genuine)]
    built += [(label, changed(change)) for label, change in attacks.items()]
    built.append(("spoofed issuer name", spoofed))
    return [(label, json.dumps(document).encode()) for label, document in built]


# --- HTTP from a chosen loopback address ----------------------------------------------------------------


class Browser:
    """One client at its own loopback address (127.0.0.N), with the CSRF cookie the form needs."""

    def __init__(self, port, address="127.0.0.1"):
        self.port, self.address, self.cookie, self.token = port, address, "", ""

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=120, source_address=(self.address, 0)
        )
        try:
            connection.request(method, path, body=body, headers={"Cookie": self.cookie, **(headers or {})})
            response = connection.getresponse()
            return (
                response.status,
                response.read().decode("utf-8", "replace"),
                response.getheader("Set-Cookie") or "",
            )
        finally:
            connection.close()

    def upload(self, content):
        if not self.token:
            _status, html, cookie = self.request("GET", "/badges/verify/")
            self.cookie = cookie.split(";", 1)[0]
            self.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        boundary = secrets.token_hex(16)
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{self.token}\r\n'
                f"--{boundary}\r\n"
                'Content-Disposition: form-data; name="credential"; filename="credential.json"\r\n'
                "Content-Type: application/json\r\n\r\n"
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        status, html, _cookie = self.request(
            "POST", "/badges/verify/", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )
        return status, html


ANSWERS = [
    ("asked to wait (429)", lambda status, html: status == 429),
    ("verified", lambda status, html: 'data-verified="yes"' in html),
    ("not issued by the institution", lambda status, html: 'data-impostor="yes"' in html),
    ("refused: too many entries", lambda status, html: "entries, and this page reads at most" in html),
    ("refused: too many proofs", lambda status, html: "proofs, and this page checks at most" in html),
    ("refused: too many values", lambda status, html: "values, the most this page reads" in html),
    ("too complex to check", lambda status, html: "too complex to check" in html),
    ("does not verify", lambda status, html: 'data-verified="no"' in html),
]


def answer(status, html):
    if status >= 500:
        return f"server error {status}"
    return next((label for label, test in ANSWERS if test(status, html)), f"other ({status})")


# --- the phases -----------------------------------------------------------------------------------------


def visitor(port, pages, until, samples):
    browser = Browser(port)
    while time.monotonic() < until:
        for path in pages:
            started = time.perf_counter()
            try:
                status, _html, _cookie = browser.request("GET", path)
            except OSError:
                status = 0
            samples.append((path, status, (time.perf_counter() - started) * 1000))


def attacker(port, number, hostile, until, outcomes):
    browser = Browser(port, f"127.0.0.{10 + number}")
    turn = number
    while time.monotonic() < until:
        label, content = hostile[turn % len(hostile)]
        turn += 1
        started = time.perf_counter()
        try:
            status, html = browser.upload(content)
            said = answer(status, html)
        except OSError as error:
            said = f"no answer ({type(error).__name__})"
        outcomes.append((label, said, (time.perf_counter() - started) * 1000))


def phase(port, pages, hostile, attackers):
    until = time.monotonic() + SECONDS
    samples, outcomes = [], []
    threads = [threading.Thread(target=visitor, args=(port, pages, until, samples))]
    threads += [
        threading.Thread(target=attacker, args=(port, n, hostile, until, outcomes)) for n in range(attackers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples, outcomes


def uploads_alone(port, hostile, count=20):
    """Milliseconds per upload of each document, one client alone (the first upload of each worker
    processes the shipped contexts, so the figures are medians)."""
    browser = Browser(port, "127.0.0.9")
    timings = {}
    for label, content in hostile:
        samples = []
        for _ in range(count if label == hostile[0][0] else 3):
            started = time.perf_counter()
            browser.upload(content)
            samples.append((time.perf_counter() - started) * 1000)
        timings[label] = statistics.median(samples)
    return timings


def percentile(values, share):
    ordered = sorted(values)
    return ordered[round(share * (len(ordered) - 1))] if ordered else 0.0


def main():
    import logging

    for name in ("axes", "celery", "kombu"):
        logging.getLogger(name).setLevel(logging.ERROR)
    call_command("migrate", verbosity=0)
    from badges.models import Award
    from microcred.demo import seed_demo

    seed_demo()
    award = Award.objects.filter(credential__isnull=False).first()
    pages = [
        "/accounts/login/",
        "/badges/catalog/",
        f"/badges/awards/{award.public_id}/",
        "/badges/issuer",
        "/badges/verify/",
        "/healthz",
    ]
    hostile = documents()
    static_root = f"{folder}/static"
    collect_static(static_root)
    secret_key = secrets.token_urlsafe(40)
    url = os.environ["DATABASE_URL"]
    with socket.socket() as probe:
        redis = probe.connect_ex(("127.0.0.1", 6379)) == 0
    shared = {"CACHE_URL": REDIS_URL, "CACHE_KEY_PREFIX": f"bench-verify-{os.getpid()}"} if redis else {}
    runs = [
        ("quiet", {"VERIFY_UPLOADS_PER_MINUTE": "1000000"}, 0),
        (f"{ATTACKERS} attackers, budget only", {"VERIFY_UPLOADS_PER_MINUTE": "1000000"}, ATTACKERS),
        (f"{ATTACKERS} attackers, rate limited", shared, ATTACKERS),
    ]
    results = []
    for label, env, attackers in runs:
        server, port = serve(url, static_root, secret_key, workers=WORKERS, env=env, quiet=True)
        try:
            results.append((label, *phase(port, pages, hostile, attackers)))
            if not attackers:
                alone = uploads_alone(port, hostile)
        finally:
            server.terminate()
            server.wait(timeout=30)

    print(f"\ngunicorn -w {WORKERS} (sync, DEBUG=0) on 127.0.0.1, {SECONDS:.0f} s per phase, SQLite")
    print(
        "hostile documents: "
        + ", ".join(f"{label} ({len(content) / 1024:.0f} KB)" for label, content in hostile)
    )
    print(
        "\nThe visitor (one request after another: "
        + ", ".join([*pages[:2], "an award page", *pages[3:]])
        + ")"
    )
    header = f"{'phase':<34} {'requests':>8} {'fails':>5} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}"
    print(header + "\n" + "-" * len(header))
    for label, samples, _outcomes in results:
        times = [ms for _path, _status, ms in samples]
        fails = sum(1 for _path, status, _ms in samples if status != 200)
        print(
            f"{label:<34} {len(samples):>8} {fails:>5} {percentile(times, 0.5):7.0f} "
            f"{percentile(times, 0.95):7.0f} {max(times, default=0):7.0f}"
        )
    print("\nEach document uploaded by one client alone, median ms: ")
    print(", ".join(f"{label} {ms:.0f}" for label, ms in alone.items()))
    for label, _samples, outcomes in results:
        if not outcomes:
            continue
        print(f"\nThe attackers' uploads, {label} ({len(outcomes)} uploads, {len(outcomes) / SECONDS:.1f}/s)")
        header = f"{'document':<30} {'uploads':>7} {'median ms':>9} {'max ms':>7}  answers"
        print(header + "\n" + "-" * len(header))
        by_document = defaultdict(list)
        for document, said, ms in outcomes:
            by_document[document].append((said, ms))
        for document, _content in hostile:
            rows = by_document.get(document, [])
            times = [ms for _said, ms in rows]
            said = ", ".join(
                f"{answer_} ×{count}" for answer_, count in Counter(s for s, _ms in rows).most_common()
            )
            print(
                f"{document:<30} {len(rows):>7} {statistics.median(times) if times else 0:9.0f} "
                f"{max(times, default=0):7.0f}  {said}"
            )
    print(f"\nrate limit counted in {'Redis (shared by the workers)' if redis else 'each worker (no Redis)'}")


if __name__ == "__main__":
    main()
