"""The Japanese catalogue is complete, keeps every placeholder, ships compiled, and is served.

The .po file is read with a small parser of its own so the suite needs nothing beyond
the project's requirements.
"""

from __future__ import annotations

import gettext
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

LOGIN = "/accounts/login/"
CATALOGUE = Path(settings.BASE_DIR) / "locale" / "ja" / "LC_MESSAGES"
PO = CATALOGUE / "django.po"
MO = CATALOGUE / "django.mo"

# %(name)s, %s, %d, %5.1f … (and %% as a literal), and str.format's {name} / {0}.
PERCENT = re.compile(r"%(?:\([A-Za-z_][A-Za-z0-9_]*\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[sdifeEgGrxXoc%]")
BRACES = re.compile(r"\{[A-Za-z_0-9][A-Za-z0-9_.]*(?:![rsa])?(?::[^{}]*)?\}")
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


@dataclass
class Entry:
    line: int
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def label(self) -> str:
        return f"line {self.line}: {self.msgid!r}"


def _unquote(text: str) -> str:
    text = text.strip()
    assert len(text) >= 2 and text[0] == text[-1] == '"', f"not a quoted string: {text}"
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(0)), text[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file: msgctxt, msgid, msgid_plural, msgstr / msgstr[n], #, flags."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None
    keyword = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")\s*$")

    def start(number: int) -> Entry:
        nonlocal entry
        if entry is None or entry.msgstr:
            entry = Entry(line=number)
            entries.append(entry)
        return entry

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            entry, target = None, None
            continue
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
            if not line:
                continue
        if line.startswith("#"):
            if line.startswith("#,"):
                current = start(number)
                current.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        match = keyword.match(line)
        if match:
            name, index, value = match.group(1), match.group(2), _unquote(match.group(3))
            current = start(number) if name in ("msgctxt", "msgid") else entry
            assert current is not None, f"{path}:{number}: {name} without msgid"
            current.obsolete = current.obsolete or obsolete
            if name == "msgstr":
                target = ("msgstr", int(index or 0))
                current.msgstr[target[1]] = value
            else:
                target = (name, 0)
                setattr(current, name, value)
            continue
        assert line.startswith('"') and entry is not None and target is not None, f"{path}:{number}: {raw!r}"
        if target[0] == "msgstr":
            entry.msgstr[target[1]] += _unquote(line)
        else:
            setattr(entry, target[0], (getattr(entry, target[0]) or "") + _unquote(line))
    return entries


def placeholders(text: str) -> Counter:
    return Counter([*PERCENT.findall(text), *BRACES.findall(text)])


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    assert PO.exists(), f"{PO} is missing: run makemessages -l ja"
    return parse_po(PO)


@pytest.fixture(scope="module")
def messages(entries) -> list[Entry]:
    return [e for e in entries if e.msgid and not e.obsolete]


@pytest.fixture(scope="module")
def header(entries) -> dict[str, str]:
    head = next(e for e in entries if e.msgid == "" and e.msgctxt is None)
    fields = (line.split(":", 1) for line in head.msgstr[0].splitlines() if ":" in line)
    return {name.strip(): value.strip() for name, value in fields}


def test_parser_reads_the_catalogue(messages):
    assert len(messages) > 100
    assert any(e.msgid_plural for e in messages)
    assert next(e for e in messages if e.msgid == "Sign in").msgstr[0]


def test_header_declares_japanese_utf8_and_a_single_plural_form(header):
    assert header["Language"] == "ja"
    assert "charset=UTF-8" in header["Content-Type"]
    assert header["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"


def test_every_message_is_translated_and_none_is_fuzzy(entries, messages):
    fuzzy = [e.label for e in entries if "fuzzy" in e.flags]
    assert not fuzzy, f"fuzzy entries: {fuzzy}"
    untranslated = [e.label for e in messages if not all(s.strip() for s in e.msgstr.values()) or not e.msgstr]
    assert not untranslated, f"untranslated: {untranslated}"
    plural_forms = [e.label for e in messages if e.msgid_plural is not None and sorted(e.msgstr) != [0]]
    assert not plural_forms, f"Japanese has one plural form (msgstr[0] only): {plural_forms}"


def test_placeholders_survive_translation(messages):
    wrong = []
    for e in messages:
        sources = [e.msgid] if e.msgid_plural is None else [e.msgid, e.msgid_plural]
        for translation in e.msgstr.values():
            got = placeholders(translation)
            if not any(placeholders(source) == got for source in sources):
                wrong.append(f"{e.label}: {dict(placeholders(sources[-1]))} != {dict(got)}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_the_placeholder_check_would_catch_a_mistake():
    assert placeholders("%(n)s of %(total)s") != placeholders("%(n)s / %(totl)s ページ")
    assert placeholders("Delete {name}?") != placeholders("削除しますか？")
    assert placeholders("%s and %d") == placeholders("%d と %s")


def test_the_compiled_catalogue_matches_the_po_file(messages):
    """A stale .mo would serve old or missing translations where gettext is not installed."""
    assert MO.exists(), f"{MO} is missing: run compilemessages -l ja"
    with MO.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog  # noqa: SLF001
    stale = []
    for e in messages:
        key = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
        got = catalog.get((key, 0)) if e.msgid_plural is not None else catalog.get(key)
        if got != e.msgstr[0]:
            stale.append(e.label)
    assert not stale, f"django.mo is out of date for: {stale}"


@pytest.mark.django_db
def test_login_page_is_japanese_for_a_japanese_browser(client):
    page = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert '<html lang="ja">' in page
    assert "サインイン" in page
    assert "アカウントは管理者が作成します。" in page
    assert "コンタクトポータル" in page
    assert "Accounts are created by your administrator." not in page


@pytest.mark.django_db
def test_login_page_is_japanese_for_a_regional_japanese_browser(client):
    page = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="ja-JP,ja;q=0.9,en;q=0.5").content.decode()
    assert "パスワードをお忘れですか？" in page


@pytest.mark.django_db
def test_login_page_is_english_for_an_english_browser(client):
    page = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in page
    assert "Accounts are created by your administrator." in page
    assert "Forgot your password?" in page
    assert "アカウントは管理者が作成します。" not in page
