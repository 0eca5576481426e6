#!/usr/bin/env python3
"""Builds a Django site's database for jwtd's import tests, with Django's own code, and prints
what it holds as JSON: `fixture.py create` migrates and adds users made with every hasher, an
inactive user, an unusable password, groups and SimpleJWT tokens; `fixture.py change` then
changes a password, deactivates a user and adds one; `fixture.py run CODE` runs ORM code. Settings come from the environment (see
djangosite/settings.py)."""
import hashlib
import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djangosite.settings")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import django  # noqa: E402


def create_mysql_database():
    """Django needs its MySQL database to exist; PostgreSQL's and SQLite's are made by the test."""
    from urllib.parse import urlparse

    import pymysql

    url = urlparse(os.environ["DJANGO_DB"])
    if url.scheme == "mysql":
        server = pymysql.connect(host=url.hostname, port=url.port or 3306, user=url.username,
                                 password=url.password or "")
        with server.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE IF NOT EXISTS `{url.path.lstrip('/')}`")
        server.close()


if len(sys.argv) > 1 and sys.argv[1] == "create":
    create_mysql_database()
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth import hashers  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from rest_framework_simplejwt.tokens import RefreshToken  # noqa: E402

User = get_user_model()
BY_EMAIL = User.USERNAME_FIELD == "email"


class CheapPBKDF2SHA1(hashers.PBKDF2SHA1PasswordHasher):
    iterations = 1000


class CheapArgon2(hashers.Argon2PasswordHasher):
    time_cost, memory_cost, parallelism = 1, 64, 1


class CheapBCryptSHA256(hashers.BCryptSHA256PasswordHasher):
    rounds = 4


class CheapBCrypt(hashers.BCryptPasswordHasher):
    rounds = 4


class CheapScrypt(hashers.ScryptPasswordHasher):
    work_factor, parallelism = 2**10, 1


def unsalted_md5(password):
    # Django 5.1 removed UnsaltedMD5PasswordHasher; its encode() was this.
    return hashlib.md5(password.encode()).hexdigest()


# (name, hasher: a Django hasher, a function, or None for Django's default)
HASHED = [
    ("pbkdf2", None),
    ("pbkdf2sha1", CheapPBKDF2SHA1()),
    ("argon", CheapArgon2()),
    ("bcryptsha", CheapBCryptSHA256()),
    ("bcryptplain", CheapBCrypt()),
    ("scrypt", CheapScrypt()),
    ("md5", hashers.MD5PasswordHasher()),
    ("ancient", unsalted_md5),
]


def make_user(name, password, hasher=None, **fields):
    login = {"email": f"{name}@example.com"} if BY_EMAIL else {"username": name}
    if not BY_EMAIL:
        fields.setdefault("email", f"{name}@example.com")
    user = User(**login, **fields)
    if password is None:
        user.set_unusable_password()
    elif callable(hasher) and not isinstance(hasher, hashers.BasePasswordHasher):
        user.password = hasher(password)
    else:
        user.password = hashers.make_password(password, None, hasher or "default")
    user.save()
    return user


def describe(user, password):
    return {
        "id": user.pk,
        "login": getattr(user, User.USERNAME_FIELD),
        "password": password,
        "is_active": user.is_active,
        "usable": user.has_usable_password(),
        "roles": sorted(g.name for g in user.groups.all()),
        "hash": user.password,
    }


def create():
    call_command("migrate", verbosity=0)
    editors, support = Group.objects.create(name="editors"), Group.objects.create(name="support")
    users = []
    for name, hasher in HASHED:
        password = f"{name} password"
        users.append((make_user(name, password, hasher), password))
    users[0][0].groups.add(editors)
    boss = make_user("boss", "boss password", None, is_staff=True, is_superuser=True)
    boss.groups.add(editors, support)
    users.append((boss, "boss password"))
    users.append((make_user("gone", "gone password", CheapPBKDF2SHA1(), is_active=False), "gone password"))
    users.append((make_user("locked", None), "locked password"))
    alice = users[0][0]
    outstanding, revoked = RefreshToken.for_user(alice), RefreshToken.for_user(alice)
    revoked.blacklist()
    print(json.dumps({
        "table": User._meta.db_table,
        "login_field": User.USERNAME_FIELD,
        "users": [describe(u, p) for u, p in users],
        "outstanding": str(outstanding),
        "blacklisted": str(revoked),
        "django_access": str(outstanding.access_token),
    }))


def change():
    login = "email" if BY_EMAIL else "username"
    value = (lambda n: f"{n}@example.com") if BY_EMAIL else (lambda n: n)
    pbkdf2 = User.objects.get(**{login: value("pbkdf2")})
    pbkdf2.set_password("a new password")
    pbkdf2.save()
    User.objects.filter(**{login: value("md5")}).update(is_active=False)
    newcomer = make_user("newcomer", "newcomer password", CheapPBKDF2SHA1())
    print(json.dumps({"changed_password": pbkdf2.pk, "deactivated": User.objects.get(**{login: value("md5")}).pk,
                      "added": newcomer.pk}))


def run(code):
    """Runs ORM code (with User, Group and hashers in scope); prints its `result` as JSON."""
    scope = {"User": User, "Group": Group, "hashers": hashers}
    exec(code, scope)
    print(json.dumps(scope.get("result")))


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "run":
        run(sys.argv[2])
    else:
        {"create": create, "change": change}[command]()
