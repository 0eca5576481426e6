"""A minimal DRF + SimpleJWT site with jwtd's endpoints: the benchmark's reference.

Production-like: DEBUG off, SQLite, Django's default password hasher (PBKDF2-SHA256 at
Django 5.2's 1,000,000 iterations), the blacklist app installed. Everything the benchmark
varies comes from the environment.
"""

import os
from datetime import timedelta

SECRET_KEY = os.environ["REF_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "refsite.urls"
WSGI_APPLICATION = "refsite.wsgi.application"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["REF_DATABASE"],
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication"
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}

_rotate = os.environ.get("REF_ROTATE", "0") == "1"
SIMPLE_JWT = {
    "SIGNING_KEY": os.environ["REF_JWT_KEY"],
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=60),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=1),
    "ROTATE_REFRESH_TOKENS": _rotate,
    "BLACKLIST_AFTER_ROTATION": _rotate,
    "AUTH_HEADER_TYPES": ("Bearer",),
}
