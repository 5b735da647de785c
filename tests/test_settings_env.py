"""Configuration comes from the environment and a bad value stops the process with its name."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from mentorship.settings import email_config, env_bool, env_int, env_int_list, env_url

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "prod-" + "k3y-material-that-is-long-and-random-enough-0123456789",
    "ALLOWED_HOSTS": "mentorship.example.org",
    "SITE_URL": "https://mentorship.example.org",
}


def _django(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    # A clean production-like environment: nothing of this test run's own configuration.
    inherited = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT"}
    clean = {k: v for k, v in os.environ.items() if k in inherited}
    clean["DJANGO_SETTINGS_MODULE"] = "mentorship.settings"
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("true", True), ("off", False), ("", False)]
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG") is expected


def test_env_bool_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("DEBUG", "ture")
    with pytest.raises(ImproperlyConfigured, match="DEBUG must be one of"):
        env_bool("DEBUG")


def test_env_int_names_the_variable_it_cannot_read(monkeypatch):
    monkeypatch.setenv("DB_CONN_MAX_AGE", "sixty")
    with pytest.raises(ImproperlyConfigured, match="DB_CONN_MAX_AGE must be a whole number"):
        env_int("DB_CONN_MAX_AGE", 60)


def test_env_int_list_reads_comma_separated_numbers(monkeypatch):
    monkeypatch.setenv("DEADLINE_REMINDER_DAYS", " 14, 7,,1 ")
    assert env_int_list("DEADLINE_REMINDER_DAYS", "7,1") == [14, 7, 1]
    monkeypatch.delenv("DEADLINE_REMINDER_DAYS")
    assert env_int_list("DEADLINE_REMINDER_DAYS", "7,1") == [7, 1]


def test_env_int_list_names_the_variable_it_cannot_read(monkeypatch):
    monkeypatch.setenv("DEADLINE_REMINDER_DAYS", "7,one")
    with pytest.raises(
        ImproperlyConfigured, match="DEADLINE_REMINDER_DAYS must be whole numbers separated by"
    ):
        env_int_list("DEADLINE_REMINDER_DAYS", "7,1")


def test_env_url_refuses_the_wrong_scheme(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "http://127.0.0.1:6379")
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL must start with"):
        env_url("REDIS_URL", schemes=("redis", "rediss"))


def test_email_url_reads_smtp_with_credentials_and_tls():
    config = email_config("smtp+tls://mailer%40org:s3cr%2Ft@mail.example.org:2525")
    assert config == {
        "EMAIL_BACKEND": "notifications.backends.EmailBackend",
        "EMAIL_HOST": "mail.example.org",
        "EMAIL_PORT": 2525,
        "EMAIL_HOST_USER": "mailer@org",
        "EMAIL_HOST_PASSWORD": "s3cr/t",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 20,
    }


def test_email_url_defaults_the_port_from_the_scheme():
    assert email_config("smtps://mail.example.org")["EMAIL_PORT"] == 465
    assert email_config("smtp://mail.example.org")["EMAIL_PORT"] == 25


def test_email_url_writes_files_to_the_given_directory():
    assert email_config("filemail:///var/mail/outbox") == {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": "/var/mail/outbox",
    }


@pytest.mark.parametrize("url", ["mailgun://key", "filemail://", "smtp://"])
def test_email_url_refuses_what_it_cannot_use(url):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        email_config(url)


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = _django(["check"], env)
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = _django(["check"], {**PRODUCTION_ENV, "SECRET_KEY": "changeme"})
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_bad_deadline_reminder_days_stop_start_up_with_their_name():
    result = _django(["check"], {**PRODUCTION_ENV, "DEADLINE_REMINDER_DAYS": "7,a day"})
    assert result.returncode != 0
    assert "DEADLINE_REMINDER_DAYS must be whole numbers" in result.stderr


def test_a_bad_email_url_stops_start_up_with_its_name():
    result = _django(["check"], {**PRODUCTION_ENV, "EMAIL_URL": "pigeon://coop"})
    assert result.returncode != 0
    assert "EMAIL_URL must be" in result.stderr


def test_the_deployment_checklist_passes_under_production_settings():
    result = _django(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
