# Prints what Django 5.2 says of the password cases pinned in src/password/rules.rs.
# Run with a Python that has Django installed (.ci/django-venv makes one).
import django
from django.conf import settings
settings.configure(INSTALLED_APPS=["django.contrib.auth","django.contrib.contenttypes"], AUTH_PASSWORD_VALIDATORS=[{"NAME":"django.contrib.auth.password_validation."+n} for n in ["UserAttributeSimilarityValidator","MinimumLengthValidator","CommonPasswordValidator","NumericPasswordValidator"]])
django.setup()
from django.contrib.auth import password_validation as pv
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
import difflib
for pw,u,e in [("correct horse battery","alice","alice@example.com"),("short","alice",""),("password","alice",""),("12345678","",""),("98127364519","",""),("alice123x","alice123",""),("example-mail","bob","bob@example.com"),("1234","",""),("alice","alice",""),("Ivanov1985x","ivanov",""),("пароль","",""),("٣٤٥٦٧٨٩٠١","","")]:
    try:
        pv.validate_password(pw, User(username=u, email=e)); print(repr(pw), [])
    except ValidationError as x:
        print(repr(pw), [m.code for m in x.error_list])
print(difflib.SequenceMatcher(a="abcd",b="bcde").quick_ratio(), difflib.SequenceMatcher(a="aab",b="abb").quick_ratio())
