"""Replies in the community's language (issue #21): every message the code marks for
translation (``ctx._``, ``tr``, ``N_``) is in each shipped catalog, translated, with the
same placeholders; a translation a placeholder is missing from (or one it does not have)
would fail at the first reply, in production."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from hatbot.i18n import LOCALES, N_, available, placeholders, tr, translations
from hatbot.testing import SkillTester

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def german(tmp_path: Path) -> Iterator[SkillTester]:
    """A bot that speaks German, with rita reviewing the knowledge base."""
    bot = SkillTester(data_dir=tmp_path / "data", config={
        "bot": {"language": "de"}, "skills": {"kb": {"reviewers": ["memory:rita"]}}})
    yield bot
    bot.close()
KEYWORDS = {"_": None, "N_": None, "tr": None}


def marked() -> set[str]:
    """The message ids the code marks, as ``make translations`` extracts them."""
    found = set()
    for folder in ("bot", "adapters", "skills"):
        for _, _, message, _, _ in extract_from_dir(
                REPO / folder, [("**.py", "python")], keywords=KEYWORDS):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_german_is_shipped() -> None:
    assert "de" in available()


@pytest.mark.parametrize("language", [lang for lang in available() if lang != "en"])
def test_every_message_is_translated_with_its_placeholders(language: str) -> None:
    with (LOCALES / language / "LC_MESSAGES" / "hatbot.po").open("rb") as po:
        catalog = read_po(po, locale=language)
    translated = {m.id: m for m in catalog if m.id}
    code = marked()
    assert len(code) >= 19
    missing = sorted(code - set(translated))
    assert not missing, f"not in {language}'s catalog (run make translations): {missing}"
    for msgid in sorted(code):
        message = translated[msgid]
        assert message.string and not message.fuzzy, f"untranslated: {msgid!r}"
        assert placeholders(str(message.string)) == placeholders(str(msgid)), msgid
    assert not sorted(set(translated) - code), "obsolete messages: run make translations"


def test_a_text_is_english_until_said_in_another_language() -> None:
    text = tr("Meeting ended at {time} UTC.", time="09:04:40")
    assert text == "Meeting ended at 09:04:40 UTC."  # what tests and logs read
    assert text.translated("de") == "Das Meeting endete um 09:04:40 UTC."
    assert text.translated("en") == text
    assert N_("Log: {url}") == "Log: {url}"
    assert translations("de").gettext("not a message id") == "not a message id"


def test_placeholders_are_read_from_format_fields() -> None:
    assert placeholders("{time} by {chair}, {{literal}}") == {"time", "chair"}


def test_a_language_with_no_catalog_is_a_clear_config_error(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from hatbot.config import BotConfig

    with pytest.raises(ValidationError, match='no translation into "fr"; shipped: en, de'):
        BotConfig(language="fr")
    with pytest.raises(ValidationError, match="expected"):
        BotConfig(channel_languages={"nowhere": "de"})
    config = BotConfig(language="de", channel_languages={"irc:#nova": "en"})
    assert config.language_of("irc:#nova") == "en" and config.language_of(None) == "de"


def test_the_community_hat_in_german(german: SkillTester) -> None:
    assert german.say("<alice> !hat add Review the contributor guide area=docs") == [
        "Aufgabe #1 angelegt: Review the contributor guide (docs). Wer setzt den Hut "
        "auf? !hat claim 1"]
    assert german.say("<alice> !hat remind") == [
        "Community Hat: hier fehlt noch jemand.\n"
        "- #1 Review the contributor guide (docs), seit 0m ohne Hutträger\n"
        "Übernimm eine mit !hat claim ID."]
    assert [c.label for c in german.sent[-1].choices] == ["#1 übernehmen"]  # the button
    assert german.press("bob", "#1 übernehmen") == [
        "bob trägt den Community Hat für #1 Review the contributor guide. Danke!"]
    assert german.say("<carol> !hat claim 1") == ["#1 trägt schon bob."]
    assert german.say("<bob> !hat list mine")[0].startswith(
        "#1 Review the contributor guide (docs): bob seit")


def test_usage_help_and_mentoring_in_german(german: SkillTester) -> None:
    assert german.say("<alice> !hat claim") == [
        "ID fehlt. Aufruf: !hat claim ID (z. B. !hat claim 3)"]
    assert german.say("<alice> !ping extra") == [
        'unerwartet: "extra". Aufruf: !ping (z. B. !ping)']
    assert german.say("<alice> !help hat claim") == [
        "!hat claim ID: Den Community Hat für eine Aufgabe aufsetzen\n"
        "Beispiel: !hat claim 3"]
    assert german.say("<ana> !mentee docs") == [
        "Noch passt niemand zu docs: du stehst auf der Warteliste, und ich stelle euch "
        "vor, sobald jemand passt."]
    assert german.say("<bob> !privacy nope") == [
        "!privacy nimmt optout oder optin, z. B. !privacy optout"]


def test_the_knowledge_base_and_the_schedule_in_german(german: SkillTester) -> None:
    assert german.say("<alice> !kb add How do I run the unit tests? | Run tox -e py3") == [
        "Entwurf #1 angelegt: How do I run the unit tests? (die Durchsicht gibt ihn frei "
        "mit !kb approve 1)"]
    assert german.say("<bob> !kb approve 1") == ["Das kann nur jemand aus der Durchsicht."]
    assert german.say("<alice> !meetings week") == ["Diese Woche keine Meetings."]
    assert german.say("<alice> !tz") == [
        "Du hast keine Zeitzone gesetzt, also sind Zeiten in UTC; !tz Europe/Berlin "
        "setzt eine."]


def test_days_and_months_are_named_in_german(german: SkillTester) -> None:
    """Monday 5 January 2026 is the test clock's start."""
    assert german.say("<alice> !remind at 2026-01-06 15:00 Europe/Berlin Release party") == [
        "OK, am Di., 6. Jan. 2026 um 15:00 Europe/Berlin sage ich: Release party (#1; "
        "!remind cancel 1)"]
    assert german.say("<alice> !remind every monday 09:00 Europe/Berlin Notes") == [
        "OK, jeden Montag um 09:00 Europe/Berlin sage ich: Notes (#2; !remind cancel 2)"]
