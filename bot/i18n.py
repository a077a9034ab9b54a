"""Replies in the community's language: gettext catalogs kept as Babel ``.po`` files in
``bot/locale/LANGUAGE/LC_MESSAGES/hatbot.po``, chosen per channel (``[bot] language``,
``[bot] channel_languages``).

English is the source: a message is written in English where it is made, marked for
translation, and translated when it is sent, into the language of where it goes. Two
ways to mark one, both read by ``make translations`` (Babel's extractor):

- ``ctx._("No open action items.")`` in a handler that knows where it answers;
- ``tr("Meeting started at {time} UTC.", time=...)`` anywhere (a pure engine that knows
  no context): a ``Text``, which is the English string for everyone who reads it as
  one, and is translated by ``Context`` when it is said.

Placeholders are ``str.format`` fields, named, so a translation may move them.
``tests/unit/test_translations.py`` checks that every marked message has a German
translation and that each translation has the same placeholders.
"""

from __future__ import annotations

import functools
import gettext
import string
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

DOMAIN = "hatbot"
SOURCE = "en"  # the language messages are written in
LOCALES = Path(__file__).with_name("locale")


def available() -> list[str]:
    """The languages replies can be in: English and each shipped catalog."""
    found = sorted(p.parent.parent.name for p in LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return [SOURCE, *found]


@functools.cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalog of ``language``, compiled from its ``.po`` on first use (Babel is
    imported only by a bot that speaks something other than English)."""
    if language == SOURCE:
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with (LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po:
        catalog = read_po(po, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


class Text(str):
    """A message made in English (what it reads as, for tests and logs) that remembers
    its message id and fields, so it can be said in another language."""

    msgid: str
    fields: dict[str, Any]

    def __new__(cls, msgid: str, fields: dict[str, Any]) -> Text:
        made = super().__new__(cls, msgid.format(**fields))
        made.msgid = msgid
        made.fields = fields
        return made

    def translated(self, language: str) -> str:
        """In ``language``, with the fields that are texts too (a reason inside a usage
        answer)."""
        if language == SOURCE:
            return str(self)
        fields = {name: value.translated(language) if isinstance(value, Text) else value
                  for name, value in self.fields.items()}
        return translations(language).gettext(self.msgid).format(**fields)


def in_language(text: str, language: str) -> str:
    """A ``tr()`` text in ``language``; any other text as it is."""
    return text.translated(language) if isinstance(text, Text) else text


def tr(msgid: str, /, **fields: Any) -> Text:
    """Mark ``msgid`` for translation, with its fields: ``tr("Hello {name}", name=n)``."""
    return Text(msgid, fields)


# Dates as the bot writes them in English (strftime), and as CLDR skeletons, from which
# Babel takes each language's own order and names ("Di., 6. Jan. 2026" in German).
DATE_FORMATS = {
    "day": ("%a %d %b", "EEEddMMM"),
    "day and year": ("%a %d %b %Y", "EEEddMMMyyyy"),
    "day and time": ("%a %d %b %H:%M", "EEEddMMM"),  # and the time, HH:MM
    "long day": ("%A %d %B", "EEEEddMMMM"),
    "weekday and date": ("%A %Y-%m-%d", "EEEEyyyyMMdd"),
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def dated(moment: date, form: str, language: str) -> str:
    """``moment`` written in ``form`` (a key of ``DATE_FORMATS``) in ``language``."""
    english, skeleton = DATE_FORMATS[form]
    if language == SOURCE:
        return moment.strftime(english)
    from babel.dates import format_skeleton

    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day)
    written = str(format_skeleton(skeleton, moment, tzinfo=moment.tzinfo, locale=language))
    return f"{written} {moment:%H:%M}" if english.endswith("%H:%M") else written


def weekday(number: int, language: str) -> str:
    """The name of a weekday (0 is Monday) as people type it in ``language``."""
    if language == SOURCE:
        return WEEKDAYS[number]
    from babel.dates import get_day_names

    return str(get_day_names("wide", locale=language)[number])


def N_(message: str) -> str:
    """Mark ``message`` for ``make translations`` where it is defined, to be translated
    where it is used (``tr(MESSAGE, ...)``)."""
    return message


def placeholders(message: str) -> set[str]:
    """The names of a message's format fields: ``"{time} by {chair}"`` → time, chair."""
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}
