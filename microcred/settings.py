"""Settings for the micro-credential product, all driven by environment variables.

The embedded default (no variables set but ``DEBUG=1``) runs on a SQLite file in the project,
runs Celery tasks eagerly in-process and prints email to the console. Production sets
``SECRET_KEY``, ``DATABASE_URL``, ``CELERY_BROKER_URL``, ``ALLOWED_HOSTS`` and friends; the
README has the full table.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name, default):
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from exc


SECRET_KEY = env("SECRET_KEY", "")
# With neither DEBUG nor SECRET_KEY set this is a developer's checkout: development mode, so that
# ``python manage.py ...`` works as it is. Production sets SECRET_KEY (DEBUG then defaults off), and
# the WSGI/ASGI entry points refuse to serve in development mode unless DEBUG=1 is said outright.
DEBUG = env_bool("DEBUG", not SECRET_KEY)
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random string "
            "(or set DEBUG=1 for a local development run)."
        )
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- The policy profile -------------------------------------------------------------------------
# The profiles are data in proposals/policy/; an unknown one stops the start-up there
# (proposals.apps.ProposalsConfig.ready), with the list of known profiles.
# Blank means the default profile (proposals.policy.DEFAULT_PROFILE).
MICROCRED_POLICY = env("MICROCRED_POLICY", "").strip().lower()
# Blank means the active profile's institution (proposals.policy); set it to show another name.
INSTITUTION_NAME_OVERRIDE = env("INSTITUTION_NAME", "")
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# How credentials name the issuer (badges.issuing.documents): "https", the controller document's URL
# under PUBLIC_BASE_URL, or "did:web", the did:web DID of PUBLIC_BASE_URL, for wallets that only
# resolve DIDs. Both documents are always published, so that changing it leaves every credential
# already issued verifying.
ISSUER_IDENTIFIER = env("ISSUER_IDENTIFIER", "https").strip().lower()
if ISSUER_IDENTIFIER not in {"https", "did:web"}:
    raise ImproperlyConfigured(f'ISSUER_IDENTIFIER must be "https" or "did:web", not {ISSUER_IDENTIFIER!r}.')
# The institution's signing keys (badges.issuing.keys): private keys are files here, never in the database,
# encrypted with the passphrase when one is set. Back the folder up; keep the passphrase apart.
ISSUER_KEY_DIR = Path(env("ISSUER_KEY_DIR", str(BASE_DIR / "private-keys")))
ISSUER_KEY_PASSPHRASE = env("ISSUER_KEY_PASSPHRASE", "")
# The registrar's SIS export: which columns, in what order (transcripts.services.COLUMNS lists them).
TRANSCRIPT_EXPORT_COLUMNS = env_list(
    "TRANSCRIPT_EXPORT_COLUMNS",
    "record_id,record_type,student_id,family_name,given_name,email,credential_code,credential_title,"
    "credits,level,awarding_unit,award_date,term_code",
)

# Credly (badges.integrations.credly): awards of achievements with a Credly badge template id are also issued
# through Credly's API, but only when both the organisation id and the API token are set.
CREDLY_ORGANIZATION_ID = env("CREDLY_ORGANIZATION_ID", "").strip()
CREDLY_API_TOKEN = env("CREDLY_API_TOKEN", "").strip()
CREDLY_BASE_URL = env("CREDLY_BASE_URL", "https://api.credly.com").strip().rstrip("/")
CREDLY_TIMEOUT_SECONDS = env_int("CREDLY_TIMEOUT_SECONDS", 10)

# --- Applications -------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_fsm",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "axes",
    "csp",
    "core.apps.CoreConfig",
    "proposals",
    "review",
    "badges",
    "transcripts",
    # Last: the project's own commands (seed_demo) span every app above.
    "microcred.apps.MicrocredConfig",
]

MIDDLEWARE = [
    # First: the container's own health probe is answered before the host check and HTTPS redirect.
    "core.middleware.LocalHealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the body: an oversized request is refused unread.
    "core.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.FriendlyMethodNotAllowedMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "core.middleware.SessionLifetimeMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last, as django-axes asks: it answers a locked-out login.
    "axes.middleware.AxesMiddleware",
    # Inside every other (its process_view runs last, after the CSRF check): a form sent twice is
    # done once (microcred/once.py).
    "core.once.SubmitOnceMiddleware",
]
CSRF_FAILURE_VIEW = "microcred.views.csrf_failure"

ROOT_URLCONF = "microcred.urls"
WSGI_APPLICATION = "microcred.wsgi.application"
ASGI_APPLICATION = "microcred.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "microcred.context_processors.product",
            ],
            # Every form's {% csrf_token %} also renders its submission key (microcred/once.py).
            "builtins": ["core.templatetags.once", "core.templatetags.people"],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Local runs only: a modest timeout avoids "database is locked" when the dev server and a
    # command write at the same time.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # Write-ahead logging: readers never wait for the writer, and a commit is one sequential write
    # rather than two synced files (the embedded default's awards are issued several times faster).
    DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache --------------------------------------------------------------------------------------
# Shared by every web and worker process when CACHE_URL names a Redis database (production: the
# dashboard's trends refreshed by a worker, login rate limits across processes); otherwise each
# process keeps its own in memory (the embedded default).
if env("CACHE_URL"):
    CACHES = {
        "default": {
            # Redis down: an empty cache, never a 500 (core.cache); a hung Redis waits 2 s at most.
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": env("CACHE_URL"),
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "microcred"),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth ---------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions end after SESSION_IDLE_MINUTES without a request, and after SESSION_MAX_HOURS whatever
# happens (core.middleware.SessionLifetimeMiddleware). Changing the password ends the others.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 120)
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 10)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
LOGIN_URL = "login"
# Staff and students log in with their accounts; learners from outside the university register
# through django-allauth (/learners/signup/) and verify their email before joining anything.
AUTHENTICATION_BACKENDS = [
    # First: django-axes refuses logins from an account or address with too many failures.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_ADAPTER = "badges.learning.accounts.LearnerAccountAdapter"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# The link in the email confirms at once and logs the person in (in the browser they signed up in),
# taking them on to the page they were going to: no extra page, no second login.
ACCOUNT_CONFIRM_EMAIL_ON_GET = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_METHODS = {"username", "email"}
# No username at sign-up: learners give their names (badges.learning.signup), and allauth makes the
# username, which no page shows them.
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_FORMS = {"signup": "badges.learning.signup.LearnerSignupForm"}
# Sign-ups per client address (core.clients), counted in the cache: shared by every process when
# CACHE_URL is set, as production needs.
ACCOUNT_RATE_LIMITS = {"signup": env("SIGNUP_RATE_LIMIT", "5/m/ip,20/h/ip")}
ACCOUNT_UNIQUE_EMAIL = True
# allauth's messages ("Successfully signed in as …") name the person, never their login name.
ACCOUNT_USER_DISPLAY = "core.people.full_name"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Micro-credentials] "
ACCOUNT_LOGOUT_REDIRECT_URL = "login"
# Failed logins: after AXES_FAILURE_LIMIT failures for one username from one client address, that
# pair is locked out for AXES_COOLOFF_HOURS; the page says so without saying whether the account
# exists. Per pair, not per address alone: behind a proxy, or a campus NAT, many people share one.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_HOURS", 1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "core.clients.client_address"
# The TLS proxies in front of the web processes (addresses or networks, comma-separated): only a
# request from one of them has its X-Forwarded-For header read for the client's address.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
AXES_RESET_ON_SUCCESS = True
# --- Single sign-on through the institution (microcred/signin/, docs/sign-in.md) ------------------
# OpenID Connect: set the issuer (its /.well-known/openid-configuration is read), and the client
# id and secret the identity provider gave; the login page then offers "Sign in with SSO_NAME"
# (blank: the institution's name). Without an issuer there is no button and no provider.
SSO_OIDC_ISSUER = env("SSO_OIDC_ISSUER", "").strip().rstrip("/")
SSO_OIDC_CLIENT_ID = env("SSO_OIDC_CLIENT_ID", "").strip()
SSO_OIDC_CLIENT_SECRET = env("SSO_OIDC_CLIENT_SECRET", "").strip()
SSO_NAME = env("SSO_NAME", "").strip()
# The provider's id in the sign-in URLs (/learners/oidc/<id>/login/callback/, the redirect URI).
SSO_PROVIDER_ID = "university"
SSO_OIDC_SCOPES = env_list("SSO_OIDC_SCOPES", "openid,profile,email")
# The attribute map: which claim carries what (SSO_OIDC_CLAIM_<KEY> overrides one, e.g.
# SSO_OIDC_CLAIM_STUDENT_ID=studentNumber). Configuration, not code, follows each institution.
SSO_OIDC_CLAIMS = {
    key: env(f"SSO_OIDC_CLAIM_{key.upper()}", default).strip()
    for key, default in {
        "uid": "sub",
        "given_name": "given_name",
        "family_name": "family_name",
        "email": "email",
        "email_verified": "email_verified",
        "affiliation": "eduperson_affiliation",
        "student_id": "student_id",
        "unit": "department",
        "entitlements": "eduperson_entitlement",
    }.items()
}
# SAML 2.0 instead (Shibboleth, InCommon): the identity provider's entity id and either its metadata
# URL or its single sign-on URL and signing certificate (the base64 body of the PEM). The product's
# SP metadata is at /learners/saml/university/metadata/, its ACS at /learners/saml/university/acs/.
SSO_SAML_IDP_ENTITY_ID = env("SSO_SAML_IDP_ENTITY_ID", "").strip()
SSO_SAML_IDP_METADATA_URL = env("SSO_SAML_IDP_METADATA_URL", "").strip()
SSO_SAML_IDP_SSO_URL = env("SSO_SAML_IDP_SSO_URL", "").strip()
SSO_SAML_IDP_X509CERT = env("SSO_SAML_IDP_X509CERT", "").strip()
if SSO_OIDC_ISSUER and SSO_SAML_IDP_ENTITY_ID:
    raise ImproperlyConfigured(
        "Set SSO_OIDC_ISSUER or SSO_SAML_IDP_ENTITY_ID, not both: one identity provider."
    )
# The SAML attribute map (SSO_SAML_ATTRIBUTE_<KEY> overrides one): eduPerson and X.500 names by OID.
SSO_SAML_ATTRIBUTES = {
    key: env(f"SSO_SAML_ATTRIBUTE_{key.upper()}", default).strip()
    for key, default in {
        "uid": "urn:oid:1.3.6.1.4.1.5923.1.1.1.6",  # eduPersonPrincipalName
        "given_name": "urn:oid:2.5.4.42",  # givenName
        "family_name": "urn:oid:2.5.4.4",  # sn
        "email": "urn:oid:0.9.2342.19200300.100.1.3",  # mail
        "email_verified": "",
        "affiliation": "urn:oid:1.3.6.1.4.1.5923.1.1.1.1",  # eduPersonAffiliation
        "student_id": "urn:oid:1.3.6.1.4.1.25178.1.2.14",  # schacPersonalUniqueCode
        "unit": "urn:oid:2.5.4.11",  # ou
        "entitlements": "urn:oid:1.3.6.1.4.1.5923.1.1.1.7",  # eduPersonEntitlement
    }.items()
}
# The institution's affiliation values, read as the product's four (faculty, staff, student, other);
# a value not named here reads as other.
SSO_AFFILIATIONS = {
    "faculty": "faculty",
    "staff": "staff",
    "employee": "staff",
    "student": "student",
    "alum": "other",
    "affiliate": "other",
    "member": "other",
}
# Optional: groups the institution grants by an entitlement value, "value=Group;value=Group"
# (e.g. "urn:mace:example.edu:registrar=Registrar"). A group named here is held exactly while the
# institution asserts it; every other group and every review-body membership stays the admin's.
SSO_ENTITLEMENT_GROUPS = dict(
    pair.split("=", 1) for pair in env("SSO_ENTITLEMENT_GROUPS", "").split(";") if "=" in pair
)
# Off: staff (accounts with a role here) must use the institution's sign-in once it is configured;
# learners from outside keep their local accounts, and superusers keep theirs as a way in when the
# identity provider is down.
LOCAL_LOGIN_FOR_STAFF = env_bool("LOCAL_LOGIN_FOR_STAFF", True)
SOCIALACCOUNT_ADAPTER = "microcred.signin.adapter.UniversitySignInAdapter"
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        # allauth's provider with a nonce, a signature check and the attribute map (microcred/signin/oidc.py).
        "provider_class": "microcred.signin.oidc.UniversityOIDCProvider",
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": SSO_PROVIDER_ID,
                "name": SSO_NAME,
                "client_id": SSO_OIDC_CLIENT_ID,
                "secret": SSO_OIDC_CLIENT_SECRET,
                "settings": {
                    "server_url": SSO_OIDC_ISSUER,
                    "oauth_pkce_enabled": True,
                    "scope": SSO_OIDC_SCOPES,
                    "uid_field": SSO_OIDC_CLAIMS["uid"],
                },
            }
        ]
        if SSO_OIDC_ISSUER
        else [],
    }
}
SOCIALACCOUNT_PROVIDERS["saml"] = {
    # allauth's provider read through the attribute map (microcred/signin/saml.py).
    "provider_class": "microcred.signin.saml.UniversitySAMLProvider",
    "APPS": [
        {
            "provider_id": SSO_PROVIDER_ID,
            "name": SSO_NAME,
            # allauth's "organisation slug": the part of the SP's URLs after /learners/saml/.
            "client_id": SSO_PROVIDER_ID,
            "settings": {
                "idp": {"entity_id": SSO_SAML_IDP_ENTITY_ID, "metadata_url": SSO_SAML_IDP_METADATA_URL}
                if SSO_SAML_IDP_METADATA_URL
                else {
                    "entity_id": SSO_SAML_IDP_ENTITY_ID,
                    "sso_url": SSO_SAML_IDP_SSO_URL,
                    "x509cert": SSO_SAML_IDP_X509CERT,
                },
                "advanced": {
                    "strict": True,
                    "want_assertion_signed": True,
                    "reject_idp_initiated_sso": True,
                    "allow_single_label_domains": DEBUG,
                },
            },
        }
    ]
    if SSO_SAML_IDP_ENTITY_ID
    else [],
}
# Where the sign-in button and the sign-out form lead once redirected: the identity provider's pages.
# Browsers hold a form's redirect to the Content-Security-Policy's form-action, so its origins are
# allowed there: the issuer's or the SAML IdP's, and SSO_FORM_ACTION_ORIGINS for one whose
# authorization or sign-out pages live on another host (or a provider configured in the admin).
SSO_FORM_ACTION_ORIGINS = sorted(
    {
        f"{parts.scheme}://{parts.netloc}"
        for url in (SSO_OIDC_ISSUER, SSO_SAML_IDP_SSO_URL, SSO_SAML_IDP_METADATA_URL)
        if url and (parts := urlsplit(url)).scheme and parts.netloc
    }
    | set(env_list("SSO_FORM_ACTION_ORIGINS"))
)
# The institution has checked who the person is: no email round-trip, no sign-up form.
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_AUTO_SIGNUP = True
# A local account is linked on the first sign-in by an email the institution says is verified.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads (proposal attachments, evidence) are private: they live outside the static tree and are
# only ever served through permission-checked views, so there is deliberately no MEDIA_URL route.
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "private-media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
# A whole request: one upload at its limit plus the form around it. Larger ones are refused unread.
MAX_REQUEST_BYTES = MAX_UPLOAD_BYTES + 1024 * 1024
# The public "verify a credential" page (badges.verification.views): the largest credential or badge image
# it reads; anything beyond is dropped as it arrives.
VERIFY_UPLOAD_MAX_BYTES = env_int("VERIFY_UPLOAD_MAX_BYTES", 2 * 1024 * 1024)
# All the work on one uploaded credential (JSON-LD expansion and canonicalisation of the document and
# its proofs) runs in a child process stopped after this many seconds (badges.verification.budget).
VERIFY_WORK_SECONDS = env_int("VERIFY_WORK_SECONDS", 2)
# Uploads one client address may check per minute; counted in the cache, so shared by every process
# when CACHE_URL names Redis.
VERIFY_UPLOADS_PER_MINUTE = env_int("VERIFY_UPLOADS_PER_MINUTE", 10)
# Other issuers' did:web keys (badges.verification.dids): whether the verify page fetches their DID
# documents over HTTPS at all, how long it waits, the most it reads, and how long an answer (or a
# failure) is kept. Only public addresses are contacted; DID_WEB_ALLOW_HTTP_LOCALHOST lets tests use
# a plain-HTTP server on 127.0.0.1, and must stay off in production.
DID_WEB_RESOLVE = env_bool("DID_WEB_RESOLVE", True)
DID_WEB_TIMEOUT_SECONDS = env_int("DID_WEB_TIMEOUT_SECONDS", 3)
DID_WEB_MAX_BYTES = env_int("DID_WEB_MAX_BYTES", 64 * 1024)
DID_WEB_CACHE_SECONDS = env_int("DID_WEB_CACHE_SECONDS", 5 * 60)
DID_WEB_ALLOW_HTTP_LOCALHOST = env_bool("DID_WEB_ALLOW_HTTP_LOCALHOST", False)
# Bulk awarding from a spreadsheet (badges.awarding.bulk): the largest file and the most learners in one.
BULK_AWARD_MAX_BYTES = env_int("BULK_AWARD_MAX_BYTES", 2 * 1024 * 1024)
BULK_AWARD_MAX_ROWS = env_int("BULK_AWARD_MAX_ROWS", 5000)
# The institution's LinkedIn organisation id: "Add to LinkedIn profile" then links the page, not just the name.
LINKEDIN_ORGANIZATION_ID = env("LINKEDIN_ORGANIZATION_ID", "")
FILE_UPLOAD_PERMISSIONS = 0o640

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Email --------------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# A mail server that hangs holds a worker's task no longer than this (every email is sent by a task).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
# With django.core.mail.backends.filebased.EmailBackend: the folder each message is written to.
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(BASE_DIR / "sent-email"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "micro-credentials@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -------------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", "")
# With no broker configured, tasks run eagerly in the web process: the embedded default needs no
# Redis and no worker. Errors then surface in the request instead of vanishing in a queue.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# Eager failures are retried in-process and then logged (and kept on the row), as a worker would;
# they do not turn a user's page into an error.
CELERY_TASK_EAGER_PROPAGATES = env_bool("CELERY_TASK_EAGER_PROPAGATES", False)
# A worker killed mid-task (SIGKILL, out of memory, a container stopped) must not lose the task: the
# message is acknowledged only once the task has finished (acks late), a task whose worker process
# dies is put back in the queue (reject on worker lost), and each worker process holds one message
# at a time (prefetch 1), so a death loses no queued messages either. The task then runs again
# from the start, which is safe because every task is idempotent (a row lock and a state check, a
# unique constraint): see microcred/outbox.py.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Redis gives a message taken by a worker that vanished whole (no parent left to requeue it) to
    # another worker after this many seconds; it must exceed the longest task. The outbox sweep
    # usually does that work sooner.
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
    # A broker that does not answer (a host that drops packets) fails a publish within seconds
    # instead of holding the request; the work waits in the outbox.
    "socket_connect_timeout": 3,
}
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", "microcred")
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE

# --- Review pipeline ----------------------------------------------------------------------------
# Items waiting longer than this many days at a stage are overdue: shown on the dashboard and
# reminded daily to whoever must act.
REVIEW_REMINDER_DAYS = env_int("REVIEW_REMINDER_DAYS", 7)
# How long a sent form's submission key is remembered, so that sending it again does nothing.
FORM_SUBMISSION_DAYS = env_int("FORM_SUBMISSION_DAYS", 7)
# The same content sent by the same person to the same address within this many seconds is the
# same form sent again (from the page the back button brought back), and is not done twice.
FORM_RESUBMIT_SECONDS = env_int("FORM_RESUBMIT_SECONDS", 120)
# How long the dashboard's computed trends are kept; the beat job refreshes them every 4 minutes.
DASHBOARD_TRENDS_CACHE_SECONDS = env_int("DASHBOARD_TRENDS_CACHE_SECONDS", 10 * 60)
# Email digests, for those who chose one: daily at DIGEST_HOUR (local time, 0-23), weekly at that
# hour on DIGEST_WEEKDAY.
DIGEST_HOUR = env_int("DIGEST_HOUR", 7)
if not 0 <= DIGEST_HOUR <= 23:
    raise ImproperlyConfigured(f"DIGEST_HOUR must be an hour from 0 to 23, not {DIGEST_HOUR}.")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DIGEST_WEEKDAY = env("DIGEST_WEEKDAY", "monday").strip().lower()
if DIGEST_WEEKDAY not in WEEKDAYS:
    raise ImproperlyConfigured(
        f"DIGEST_WEEKDAY must be a day of the week in English, not {DIGEST_WEEKDAY!r}."
    )
CELERY_BEAT_SCHEDULE = {
    "daily-review-reminders": {
        "task": "review.tasks.send_review_reminders",
        "schedule": crontab(hour=7, minute=0),
        "options": {"expires": 20 * 60 * 60},
    },
    # The office dashboard's twelve-month trends, kept in the cache (review/trends.py).
    "refresh-dashboard-trends": {
        "task": "review.tasks.refresh_dashboard_trends",
        "schedule": 4 * 60,
        "options": {"expires": 200},
    },
    "forget-old-form-submissions": {
        "task": "core.tasks.forget_old_submissions",
        "schedule": crontab(hour=3, minute=30),
        "options": {"expires": 20 * 60 * 60},
    },
    # Email digests (review/services/digests.py): each hour, the digests of the period that began
    # last are made and sent, once per person and period; an hour the job missed is caught up.
    "send-email-digests": {
        "task": "review.tasks.send_digests",
        "schedule": crontab(minute=5),
        "options": {"expires": 50 * 60},
    },
    # Published revisions take over from their effective date, just after midnight local time (and
    # at once when published on or after it).
    "daily-revisions-take-over": {
        "task": "review.tasks.supersede_revised",
        "schedule": crontab(hour=0, minute=5),
        "options": {"expires": 20 * 60 * 60},
    },
    # The outbox (microcred/outbox.py): follow-up work whose task never ran (the broker was down
    # when it was queued, or its worker died) is queued again once it has waited two minutes.
    "sweep-outbox": {
        "task": "microcred.tasks.sweep_outbox",
        "schedule": 2 * 60,
        "options": {"expires": 100},
    },
}
# Tests only: seconds an award's issue waits before it commits, so that a test can kill the worker
# in the middle of it (tests/test_worker_killed.py). Always 0 in production.
BADGES_TEST_ISSUE_DELAY_SECONDS = env_int("BADGES_TEST_ISSUE_DELAY_SECONDS", 0)

# --- Security -----------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts and styles from the site's own files only; no inline
# script or style anywhere in the templates.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'", *SSO_FORM_ACTION_ORIGINS],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
