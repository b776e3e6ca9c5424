"""`manage.py security_profile import FILE` fuzzed with Hypothesis: files of one or
several profiles in Connect's shape, some of them broken (wrong types, missing and
extra fields, unknown and legacy permission names, huge strings, NUL characters, deep
nesting, invalid UTF-8, truncated JSON).

Either every profile of the file is imported, or the command fails with a clear error
(CommandError) and the profiles are exactly as they were. Seeded and bounded.
"""

from __future__ import annotations

import io
import json
from itertools import count

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from portal.accounts import permissions as p
from portal.accounts.models import SecurityProfile

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_files = count()
KNOWN = sorted(p.ALL_NAMES | set(p.LEGACY))
NAMES = st.sampled_from(["Auditors", "QA night shift", "監査", "Agent", "Admin"]) | st.text(min_size=1, max_size=20)
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


@st.composite
def profile(draw) -> dict:
    document = {"SecurityProfileName": draw(NAMES), "Permissions": draw(st.lists(st.sampled_from(KNOWN), max_size=6))}
    if draw(st.booleans()):
        document["Description"] = draw(st.text(max_size=40))
    mutation = draw(st.sampled_from(["none", "none", "name", "permissions", "description", "extra", "missing"]))
    if mutation == "name":
        document["SecurityProfileName"] = draw(ANY_JSON | st.just("n" * 5000) | st.just("  ") | st.just("a\x00b"))
    elif mutation == "permissions":
        document["Permissions"] = draw(
            ANY_JSON | st.lists(st.sampled_from(KNOWN) | st.text(max_size=12) | st.just("x" * 100_000), max_size=4)
        )
    elif mutation == "description":
        document["Description"] = draw(ANY_JSON | st.just("d" * 5000) | st.just("with\x00nul"))
    elif mutation == "extra":
        document.update(draw(st.dictionaries(st.text(min_size=1, max_size=8), ANY_JSON, max_size=3)))
    elif mutation == "missing":
        del document[draw(st.sampled_from(["SecurityProfileName", "Permissions"]))]
    return document


@st.composite
def profile_files(draw) -> bytes:
    documents = draw(st.lists(profile(), min_size=1, max_size=4))
    body = documents[0] if len(documents) == 1 and draw(st.booleans()) else documents
    text = json.dumps(body, ensure_ascii=draw(st.booleans()))
    damage = draw(st.sampled_from(["none", "none", "none", "truncated", "deep", "bad-utf8", "not-json"]))
    if damage == "truncated":
        text = text[: draw(st.integers(0, len(text) - 1))]
    elif damage == "deep":
        text = '{"SecurityProfileName": "Deep", "Permissions": ' + "[" * 50_000 + "]" * 50_000 + "}"
    elif damage == "not-json":
        text = draw(st.sampled_from(["", "null", "42", '"Admin"', "[1, 2]", "{}"]))
    data = text.encode()
    if damage == "bad-utf8":
        data = data.replace(b'"SecurityProfileName"', b'"SecurityProfile\xffName"', 1)
    return data


def _profiles() -> dict:
    return {row.name: (sorted(row.permissions), row.description) for row in SecurityProfile.objects.all()}


@FUZZ
@given(data=profile_files())
def test_security_profile_import(data, tmp_path):
    path = tmp_path / f"profile-{next(_files)}.json"
    path.write_bytes(data)
    before = _profiles()
    try:
        call_command("security_profile", "import", str(path), stdout=io.StringIO())
    except CommandError as error:
        event("refused")
        assert str(error).strip() and len(str(error)) < 2000, str(error)[:300]
        assert _profiles() == before
        return
    event("imported")
    documents = json.loads(data)
    # Imported in order: a name given twice keeps the last one's permissions.
    expected = (
        {d["SecurityProfileName"].strip(): p.normalise(d["Permissions"]) for d in documents}
        if isinstance(documents, list)
        else {documents["SecurityProfileName"].strip(): p.normalise(documents["Permissions"])}
    )
    for name, permissions in expected.items():
        assert sorted(SecurityProfile.objects.get(name=name).permissions) == permissions
