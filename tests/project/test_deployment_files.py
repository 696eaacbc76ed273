"""No container engine runs here, so the compose file is checked as a file: it parses, every
command names something that exists in the project, and it sets only variables the settings read."""

import importlib
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
APP_SERVICES = {name: svc for name, svc in COMPOSE["services"].items() if "build" in svc}


def settings_variables():
    source = (ROOT / "microcred" / "settings.py").read_text()
    return set(re.findall(r'env(?:_bool|_list|_int)?\(\s*"([A-Z_]+)"', source))


def test_compose_has_the_production_services():
    assert set(COMPOSE["services"]) >= {"web", "worker", "beat", "postgres", "redis", "migrate"}
    assert set(APP_SERVICES) == {"web", "worker", "beat", "migrate"}
    assert (ROOT / "Dockerfile").exists()


@pytest.mark.parametrize("name", ["postgres", "redis", "web", "worker"])
def test_long_running_services_have_health_checks(name):
    assert COMPOSE["services"][name]["healthcheck"]["test"]


def test_app_services_wait_for_the_migration_step():
    for name in ("web", "worker", "beat"):
        deps = APP_SERVICES[name]["depends_on"]
        assert deps["migrate"]["condition"] == "service_completed_successfully"
        assert deps["postgres"]["condition"] == "service_healthy"


def _target_exists(command):
    program, *args = command
    if program == "python":
        return (ROOT / args[0]).is_file()
    if program == "gunicorn":
        module, attribute = args[0].split(":")
        return hasattr(importlib.import_module(module), attribute)
    if program == "celery":
        app_module = args[args.index("-A") + 1]
        return (ROOT / app_module / "celery.py").is_file() and args[args.index("-A") + 2] in (
            "worker",
            "beat",
        )
    return False


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_every_command_names_a_module_or_script_of_the_project(name):
    assert _target_exists(APP_SERVICES[name]["command"]), APP_SERVICES[name]["command"]


def test_dockerfile_default_command_is_the_wsgi_app():
    cmd = re.search(r"^CMD (.+)$", (ROOT / "Dockerfile").read_text(), re.M).group(1)
    assert _target_exists(yaml.safe_load(cmd))


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_environment_sets_only_variables_the_settings_read(name):
    unknown = set(APP_SERVICES[name]["environment"]) - settings_variables()
    assert not unknown, f"{name} sets variables nothing reads: {sorted(unknown)}"


def test_make_run_serves_on_the_port_asked_for():
    import subprocess

    result = subprocess.run(
        ["make", "-n", "run", "PORT=8123"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert "runserver 127.0.0.1:8123" in result.stdout, result.stdout + result.stderr


def test_the_issuer_keys_and_uploads_outlive_the_containers_owned_by_a_user_not_root():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for service in APP_SERVICES.values():
        environment = service["environment"]
        mounts = dict(volume.split(":") for volume in service["volumes"])
        assert environment["ISSUER_KEY_DIR"] in mounts.values()
        assert environment["MEDIA_ROOT"] in mounts.values()
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.M)
    assert "chown microcred /app/private-media /app/private-keys" in dockerfile


def test_nothing_secret_or_local_goes_into_the_image():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".env", "private-keys", "private-media", "*.sqlite3", ".venv", ".git"} <= ignored
