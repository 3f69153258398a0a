"""Every portal text has an English translation, and the compiled catalogue matches."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES"


def po_entries() -> dict[str, str]:
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    entries = {}
    pattern = re.compile(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', re.M)
    for match in pattern.finditer(text):
        msgid = "".join(re.findall(r'"(.*)"', match.group(1)))
        msgstr = "".join(re.findall(r'"(.*)"', match.group(2)))
        if msgid:
            entries[msgid] = msgstr
    return entries


def test_every_message_has_an_english_translation():
    untranslated = [msgid for msgid, msgstr in po_entries().items() if not msgstr]
    assert untranslated == []
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    # gettext leaves fuzzy entries out of the compiled catalogue, whatever other flags they carry.
    assert re.findall(r"^#,.*\bfuzzy\b.*\n(?:#.*\n)*msgid (.*)", text, re.M) == []
    # Plural entries: every form translated.
    assert (
        re.findall(r'^msgid_plural (.*)\n(?:msgstr\[\d+\] .*\n(?:".*"\n)*)*?msgstr\[\d+\] ""\n(?!")', text, re.M) == []
    )


def test_compiled_catalogue_is_up_to_date():
    with open(LOCALE / "django.mo", "rb") as fh:
        catalogue = gettext.GNUTranslations(fh)
    stale = [
        msgid
        for msgid, msgstr in po_entries().items()
        if "\\" not in msgid and catalogue.gettext(msgid) != msgstr.replace('\\"', '"')
    ]
    assert stale == []
