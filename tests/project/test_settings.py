"""Settings come from the environment, refuse unsafe or unknown values, and pass Django's
deployment checklist in production shape."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "x8#k2!vq9@w3$e7^r5&t1*y6(u4)i0_o-p=a+s[d]f{g}h|j;k:l<z>x?c/v.b,n",
    "ALLOWED_HOSTS": "microcred.example.edu",
    "CSRF_TRUSTED_ORIGINS": "https://microcred.example.edu",
    "DATABASE_URL": "sqlite:///" + str(ROOT / "unused.sqlite3"),
    "PUBLIC_BASE_URL": "https://microcred.example.edu",
    "CACHE_URL": "redis://127.0.0.1:6379/14",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "smtp.example.edu",
}


def manage(*args, **env):
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SECRET_KEY", "MICROCRED_POLICY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy():
    result = manage("check", "--deploy", "--fail-level", "DEBUG", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("changed", "check"),
    [
        ({"PUBLIC_BASE_URL": "http://127.0.0.1:8000"}, "core.E001"),
        ({"PUBLIC_BASE_URL": "http://microcred.example.edu"}, "core.E001"),
        ({"PUBLIC_BASE_URL": "https://10.0.0.5"}, "core.E001"),
        ({"CACHE_URL": ""}, "core.W002"),
        ({"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}, "core.W003"),
    ],
)
def test_check_deploy_names_what_a_deployment_lacks(changed, check):
    result = manage("check", "--deploy", "--fail-level", "WARNING", **{**PRODUCTION_ENV, **changed})
    assert result.returncode != 0
    assert check in result.stdout + result.stderr


def test_missing_secret_key_with_debug_off_names_the_variable():
    env = {**PRODUCTION_ENV}
    del env["SECRET_KEY"]
    result = manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_unknown_policy_profile_fails_at_start_up():
    result = manage("check", MICROCRED_POLICY="harvard", **PRODUCTION_ENV)
    assert result.returncode != 0
    assert "MICROCRED_POLICY='harvard'" in result.stderr
    assert "binghamton, fiu" in result.stderr


def test_fiu_profile_starts_and_names_its_office():
    result = manage(
        "shell",
        "-c",
        "from proposals.policy import active_profile; print(active_profile().office_name)",
        MICROCRED_POLICY="fiu",
        **PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "Academic and Student Affairs"


def _eager(**env):
    base = dict(PRODUCTION_ENV)
    result = manage(
        "shell", "-c", "from microcred.celery import app; print(app.conf.task_always_eager)", **base, **env
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_tasks_run_in_process_without_a_broker_and_queue_with_one():
    assert _eager(CELERY_BROKER_URL="") == "True"
    assert _eager(CELERY_BROKER_URL="redis://127.0.0.1:6379/0") == "False"


def test_bare_checkout_runs_manage_py_in_development_mode():
    result = manage("check")  # neither DEBUG nor SECRET_KEY set
    assert result.returncode == 0, result.stderr


def test_web_server_refuses_development_mode_it_was_not_asked_for():
    result = subprocess.run(
        [sys.executable, "-c", "import microcred.wsgi"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")},
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    explicit = subprocess.run(
        [sys.executable, "-c", "import microcred.wsgi"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**{k: v for k, v in os.environ.items() if k != "SECRET_KEY"}, "DEBUG": "1"},
    )
    assert explicit.returncode == 0, explicit.stderr


def test_pages_carry_a_content_security_policy_and_a_permissions_policy(client, db):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert "camera=()" in response["Permissions-Policy"]


def test_no_template_has_inline_script_or_style():
    import re

    offenders = []
    for path in ROOT.glob("*/templates/**/*.html"):
        if ".venv" in path.parts:
            continue
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=\"|\son[a-z]+=\"", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_repeated_failed_logins_lock_out_without_saying_whether_the_account_exists(client, db, settings):
    from django.contrib.auth import get_user_model

    settings.AXES_FAILURE_LIMIT = 3
    get_user_model().objects.create_user("real", password="right-password-1")
    pages = {}
    for username in ("real", "nobody-by-that-name"):
        for _ in range(3):
            client.post("/accounts/login/", {"username": username, "password": "wrong"})
        pages[username] = client.post("/accounts/login/", {"username": username, "password": "wrong"})
    for response in pages.values():
        assert response.status_code == 429 and "Too many failed attempts" in response.content.decode()
    assert pages["real"].content == pages["nobody-by-that-name"].content  # nothing tells them apart
    locked = client.post("/accounts/login/", {"username": "real", "password": "right-password-1"})
    assert locked.status_code == 429  # even the right password waits for the cool-off


def test_a_session_ends_after_a_working_day_and_a_password_change_ends_the_others(client, db, settings):
    import time

    from django.contrib.auth import get_user_model
    from django.test import Client

    from core.middleware import SessionLifetimeMiddleware

    user = get_user_model().objects.create_user("worker", password="first-password-9")
    client.force_login(user)
    assert client.get("/").status_code == 200
    session = client.session
    session[SessionLifetimeMiddleware.STARTED] = time.time() - (settings.SESSION_MAX_HOURS * 3600 + 60)
    session.save()
    assert client.get("/").status_code == 302  # a working day is over: to the login page
    client.force_login(user)
    session = client.session
    session[SessionLifetimeMiddleware.SEEN] = time.time() - (settings.SESSION_IDLE_MINUTES * 60 + 60)
    session.save()
    assert client.get("/").status_code == 302  # idle too long

    other = Client()
    other.force_login(user)
    client.force_login(user)
    client.post(
        "/accounts/password-change/",
        {
            "old_password": "first-password-9",
            "new_password1": "second-password-8",
            "new_password2": "second-password-8",
        },
    )
    assert client.get("/").status_code == 200  # this session goes on
    assert other.get("/").status_code == 302  # the other one has ended


def test_password_reset_does_not_reveal_whether_an_account_exists(client, db, mailoutbox):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("known", email="known@example.edu", password="x-password-1")
    answers = [
        client.post("/accounts/password-reset/", {"email": email}, follow=True)
        for email in ("known@example.edu", "nobody@example.edu")
    ]
    assert answers[0].content == answers[1].content  # the same page either way
    assert [m.to for m in mailoutbox] == [["known@example.edu"]]  # sent by the task, to the account only
    assert "/accounts/reset/" in mailoutbox[0].body


@pytest.mark.parametrize("junk", ["²", "٣", "99999999999999999999999", "-1", "1e3", " "])
def test_unicode_digits_and_out_of_range_ids_never_answer_500(client, db, junk):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from core.roles import FACULTY, REGISTRAR

    user = get_user_model().objects.create_user("someone", password="x-password-1")
    user.groups.add(
        Group.objects.get_or_create(name=FACULTY)[0], Group.objects.get_or_create(name=REGISTRAR)[0]
    )
    client.force_login(user)
    for path in (f"/proposals/search/?unit={junk}&competency={junk}", f"/registrar/?unit={junk}&page={junk}"):
        assert client.get(path).status_code == 200, path
    assert client.post("/registrar/bulk/", {"records": [junk], "action": "verify"}).status_code == 302
    assert client.post("/registrar/batches/new/", {"term": junk}).status_code == 404
    assert client.post("/review/proposals/1/close-vote/", {"ballot": junk}).status_code == 404


def test_the_containers_health_probe_answers_with_production_settings(tmp_path):
    """The compose file's health check, run against the production settings: a request from the
    machine itself for http://127.0.0.1:8000/healthz (not an allowed host, plain http)."""
    import re

    probe = re.search(r"urlopen\('([^']+)'", (ROOT / "docker-compose.yml").read_text()).group(1)
    script = (
        "from django.test import Client; "
        f"r = Client().get('{probe.split('8000')[1]}', HTTP_HOST='127.0.0.1:8000', REMOTE_ADDR='127.0.0.1'); "
        "print(r.status_code, r.content.decode()); "
        "o = Client().get('/healthz', HTTP_HOST='127.0.0.1:8000', REMOTE_ADDR='203.0.113.9'); "
        "print(o.status_code)"
    )
    database = {"DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}"}
    result = manage("shell", "-c", script, **{**PRODUCTION_ENV, **database})
    lines = result.stdout.strip().splitlines()
    assert lines[-2] == '200 {"status": "ok"}', result.stdout + result.stderr
    assert lines[-1] in ("400", "301")  # from elsewhere: the usual host check and HTTPS redirect
