"""Load test: the roles' real journeys against a running server, for Locust.

Each user is signed in as a demo login of its role, then repeats its journey. With
``BENCH_SESSIONS`` (a JSON file of username -> session id, made before the run by
``bench_scale.py sessions``) it starts from that session, so that what is measured is the pages,
not 32 password hashes at once on two cores; without it, it logs in through the login form. The
journeys: faculty browse their proposals, search and open one; committee members go from
their queue to a proposal and its changes; chairs open a proposal from their queue and close its
vote; the registrar pages and filters the transcript queue; anonymous visitors verify an award's
public page (ids from the file named by ``BENCH_AWARD_IDS``). ``make bench-load`` runs it headless
at 1, 8 and 32 users (``scripts/bench_scale.py load``).
"""

import json
import os
import random
import re

from locust import HttpUser, between, task

PASSWORD = os.environ.get("BENCH_PASSWORD", "microcred-demo")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PROPOSAL_LINK = re.compile(r'href="/proposals/(\d+)/"')
CLOSE_FORM = re.compile(
    r'action="(/review/proposals/\d+/close-vote/)".*?name="ballot" value="(\d+)"', re.DOTALL
)


def award_ids():
    path = os.environ.get("BENCH_AWARD_IDS", "")
    if not path or not os.path.exists(path):
        return []
    with open(path) as ids:
        return [line.strip() for line in ids if line.strip()]


AWARD_IDS = award_ids()


def sessions():
    path = os.environ.get("BENCH_SESSIONS", "")
    if not path or not os.path.exists(path):
        return {}
    with open(path) as kept:
        return json.load(kept)


SESSIONS = sessions()


def csrf_token(response):
    found = CSRF.search(response.text)
    return found.group(1) if found else response.cookies.get("csrftoken", "")


class LoggedIn(HttpUser):
    abstract = True
    wait_time = between(0.5, 2)
    usernames = ()

    def on_start(self):
        self.username = random.choice(self.usernames)
        if self.username in SESSIONS:
            self.client.cookies.set("sessionid", SESSIONS[self.username])
            return
        page = self.client.get("/accounts/login/", name="login form")
        response = self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": csrf_token(page)},
            headers={"Referer": self.host + "/accounts/login/"},
            name="login",
        )
        if "/accounts/login/" in response.url:
            response.failure(f"login of {self.username} failed")

    def open_one_of(self, response, suffix="", name="/proposals/[id]/"):
        ids = PROPOSAL_LINK.findall(response.text)
        if ids:
            return self.client.get(f"/proposals/{random.choice(ids)}/{suffix}", name=name)
        return None


class Faculty(LoggedIn):
    weight = 4
    usernames = ("faculty", "coauthor")

    @task(3)
    def my_proposals(self):
        self.open_one_of(self.client.get("/proposals/", name="my proposals"))

    @task(2)
    def search(self):
        query = random.choice(["", "analytics", "security", "writing", "health"])
        page = random.randint(1, 20) if not query else 1
        self.open_one_of(
            self.client.get(f"/proposals/search/?q={query}&page={page}", name="search"),
        )

    @task(1)
    def home(self):
        self.client.get("/", name="home")


class CommitteeMember(LoggedIn):
    weight = 3
    usernames = ("gc-member1", "gc-member2", "eppc-member1", "fsec-member1", "omc-member1")

    @task
    def queue_to_proposal(self):
        queue = self.client.get("/review/queue/", name="queue")
        if self.open_one_of(queue) is not None:
            self.open_one_of(queue, suffix="versions/", name="/proposals/[id]/versions/")


class Chair(LoggedIn):
    weight = 1
    usernames = ("gc-chair", "eppc-chair", "fsec-chair", "omc-chair")

    @task
    def close_a_vote(self):
        queue = self.client.get("/review/queue/", name="queue")
        proposal = self.open_one_of(queue)
        if proposal is None:
            return
        found = CLOSE_FORM.search(proposal.text)
        if found:
            self.client.post(
                found.group(1),
                {"csrfmiddlewaretoken": csrf_token(proposal), "ballot": found.group(2), "comment": ""},
                headers={"Referer": proposal.url},
                name="close vote",
            )


class Registrar(LoggedIn):
    weight = 1
    usernames = ("registrar",)

    @task
    def queue(self):
        self.client.get("/registrar/", name="registrar queue")
        state = random.choice(["pending", "verified", "posted"])
        self.client.get(
            f"/registrar/?state={state}&sort=name&page={random.randint(1, 5)}", name="registrar filtered"
        )


class Verifier(HttpUser):
    """Someone an award was shared with, opening its public page."""

    weight = 3
    wait_time = between(0.5, 2)

    @task
    def verify(self):
        if AWARD_IDS:
            self.client.get(f"/badges/awards/{random.choice(AWARD_IDS)}/", name="public award")
