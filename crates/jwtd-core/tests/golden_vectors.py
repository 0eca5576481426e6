"""Prints the golden vectors of django_tests.rs: each hash made by the real Django 5.2 hasher,
or, for formats Django 5.2 no longer ships, by the libraries Django used (hashlib, bcrypt,
argon2-cffi). Cheap parameters through subclasses of Django's own hashers, so the unit tests
stay fast; the encoding code is Django's.

    python3 -m venv /tmp/dj && /tmp/dj/bin/pip install "Django==5.2.*" bcrypt argon2-cffi
    /tmp/dj/bin/python golden_vectors.py
"""
import hashlib

import argon2
import bcrypt
from django.conf import settings

settings.configure(
    PASSWORD_HASHERS=[
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
        "django.contrib.auth.hashers.BCryptPasswordHasher",
        "django.contrib.auth.hashers.ScryptPasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
)

from django.contrib.auth import hashers  # noqa: E402


class CheapPBKDF2(hashers.PBKDF2PasswordHasher):
    iterations = 1000


class CheapPBKDF2SHA1(hashers.PBKDF2SHA1PasswordHasher):
    iterations = 1000


class CheapArgon2(hashers.Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 64
    parallelism = 1


class CheapBCryptSHA256(hashers.BCryptSHA256PasswordHasher):
    rounds = 4


class CheapBCrypt(hashers.BCryptPasswordHasher):
    rounds = 4


class CheapScrypt(hashers.ScryptPasswordHasher):
    work_factor = 2**10
    parallelism = 1


PASSWORD = "correct horse"
LONG = "x" * 72 + "tail beyond 72 bytes"

vectors = [
    ("pbkdf2_sha256", PASSWORD, hashers.make_password(PASSWORD, None, CheapPBKDF2())),
    ("pbkdf2_sha256, 12-character salt (Django < 3.2)", PASSWORD,
     hashers.make_password(PASSWORD, "Kb1aBc7dE9fG", CheapPBKDF2())),
    ("pbkdf2_sha1", PASSWORD, hashers.make_password(PASSWORD, None, CheapPBKDF2SHA1())),
    ("pbkdf2_sha1, 12-character salt", PASSWORD,
     hashers.make_password(PASSWORD, "Zx8yW7vU6tS5", CheapPBKDF2SHA1())),
    ("argon2id", PASSWORD, hashers.make_password(PASSWORD, None, CheapArgon2())),
    ("argon2i, hash length 16 (Django 1.10-3.1)", PASSWORD,
     "argon2" + argon2.low_level.hash_secret(
         PASSWORD.encode(), b"S1E4emVLNndLUnVS", time_cost=2, memory_cost=512,
         parallelism=2, hash_len=16, type=argon2.low_level.Type.I).decode()),
    ("bcrypt_sha256", PASSWORD, hashers.make_password(PASSWORD, None, CheapBCryptSHA256())),
    ("bcrypt", PASSWORD, hashers.make_password(PASSWORD, None, CheapBCrypt())),
    # Old bcrypt silently used the first 72 bytes; bcrypt 5 refuses longer input, so hash
    # those 72 bytes as the old library did.
    ("bcrypt, password over 72 bytes", LONG,
     "bcrypt$" + bcrypt.hashpw(LONG.encode()[:72], bcrypt.gensalt(4)).decode()),
    ("scrypt", PASSWORD, hashers.make_password(PASSWORD, None, CheapScrypt())),
    ("md5", PASSWORD, hashers.make_password(PASSWORD, None, hashers.MD5PasswordHasher())),
    # Removed from Django 5.1: SHA1PasswordHasher, UnsaltedSHA1PasswordHasher,
    # UnsaltedMD5PasswordHasher (their encode(), with hashlib).
    ("sha1", PASSWORD,
     "sha1$Qm9ZpX$" + hashlib.sha1(("Qm9ZpX" + PASSWORD).encode()).hexdigest()),
    ("unsalted_sha1", PASSWORD, "sha1$$" + hashlib.sha1(PASSWORD.encode()).hexdigest()),
    ("unsalted_md5", PASSWORD, hashlib.md5(PASSWORD.encode()).hexdigest()),
    ("unsalted_md5, md5$$ form", PASSWORD, "md5$$" + hashlib.md5(PASSWORD.encode()).hexdigest()),
]
# Django's own check agrees, for every format it still reads (bcrypt 5 refuses > 72 bytes).
DJANGO_READS = ("pbkdf2_sha256$", "pbkdf2_sha1$", "argon2$", "bcrypt_sha256$", "scrypt$", "md5$")
for name, password, encoded in vectors:
    if encoded.startswith(DJANGO_READS) and not encoded.startswith("md5$$"):
        assert hashers.check_password(password, encoded), name
        assert not hashers.check_password(password + "!", encoded), name
    print(f"    ({name!r}, {password!r}, {encoded!r}),")
