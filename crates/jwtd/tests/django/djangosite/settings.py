"""A Django 5.2 + DRF + SimpleJWT site for jwtd's tests, configured by the environment:

DJANGO_DB          sqlite:///path | postgres://user@host:port/db | mysql://user@host:port/db
DJANGO_USER_MODEL  "auth" (django.contrib.auth's User) or "email" (accounts.User, logs in by email)
DJANGO_SIGNING_KEY SimpleJWT's SIGNING_KEY (jwtd's signing_key in the tests)
DJANGO_JWK_URL     SimpleJWT's JWK_URL (jwtd's JWKS), with DJANGO_JWT_ALGORITHM its ALGORITHM
"""
import os
from datetime import timedelta
from urllib.parse import urlparse

SECRET_KEY = "django-insecure-jwtd-tests"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
USE_TZ = True
ROOT_URLCONF = "djangosite.urls"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
]
if os.environ.get("DJANGO_USER_MODEL") == "email":
    INSTALLED_APPS.append("accounts")
    AUTH_USER_MODEL = "accounts.User"

MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]


def database(url):
    parts = urlparse(url)
    if parts.scheme == "sqlite":
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": parts.path}
    engine = {"postgres": "postgresql", "postgresql": "postgresql", "mysql": "mysql"}[parts.scheme]
    return {
        "ENGINE": f"django.db.backends.{engine}",
        "NAME": parts.path.lstrip("/"),
        "USER": parts.username or "",
        "PASSWORD": parts.password or "",
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
    }


DATABASES = {"default": database(os.environ["DJANGO_DB"])}
if DATABASES["default"]["ENGINE"].endswith("mysql"):
    import pymysql

    pymysql.install_as_MySQLdb()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.BCryptPasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.MD5PasswordHasher",
]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
    ],
}
SIMPLE_JWT = {
    "SIGNING_KEY": os.environ.get("DJANGO_SIGNING_KEY", SECRET_KEY),
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=5),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=1),
}
if os.environ.get("DJANGO_JWK_URL"):
    SIMPLE_JWT["ALGORITHM"] = os.environ["DJANGO_JWT_ALGORITHM"]
    SIMPLE_JWT["JWK_URL"] = os.environ["DJANGO_JWK_URL"]
