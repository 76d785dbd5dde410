"""Roles, preferences and the validation of every field a player chooses."""

from __future__ import annotations

import doctest

import msgspec
import pytest

from tablium.db.schema import ROLES as SCHEMA_ROLES
from tablium.errors import InvalidInput
from tablium.players import profile
from tablium.players.profile import (
    COUNTRY_CODES,
    ROLES,
    Preferences,
    Role,
    email_key,
    username_key,
    validate_avatar_url,
    validate_country,
    validate_display_name,
    validate_email,
    validate_password,
    validate_preferences,
    validate_username,
)


def refused(code: str) -> pytest.RaisesExc[InvalidInput]:
    return pytest.raises(InvalidInput, check=lambda exc: exc.code == code)


def test_the_doctests_pass() -> None:
    failures, tried = doctest.testmod(profile)
    assert tried > 0
    assert failures == 0


def test_roles_are_the_ones_the_database_allows() -> None:
    assert ROLES == SCHEMA_ROLES == ("player", "director", "admin")
    assert [Role(name) for name in ROLES] == [Role.PLAYER, Role.DIRECTOR, Role.ADMIN]


# --- Usernames ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["abc", "Alice_99", "x.y-z", "A" * 32, "007", "___"])
def test_good_usernames_are_returned_as_given(name: str) -> None:
    assert validate_username(name) == name


@pytest.mark.parametrize(
    "name",
    ["", "ab", "A" * 33, "has space", "émile", "semi;colon", "tab\tbed", "new\nline", "abc\n"],
)
def test_bad_usernames_are_refused(name: str) -> None:
    with refused("invalid_username"):
        validate_username(name)


def test_usernames_compare_without_case() -> None:
    assert username_key("Alice") == username_key("ALICE") == "alice"


# --- Passwords ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password", ["correct horse", "Tr0ub4dor&3x", "x" * 127 + "y", "ééééééééé!", "0123456788"]
)
def test_good_passwords_pass(password: str) -> None:
    validate_password(password, username="alice")


@pytest.mark.parametrize(
    "password",
    [
        "",
        "short1!",
        "nine char",
        "x" * 128 + "y",
        "aaaaaaaaaaaa",
        "0123456789",
        "abcdefghijk",
        "9876543210",
        "Password123",
        "QWERTYUIOP",
    ],
)
def test_weak_passwords_are_refused(password: str) -> None:
    with refused("weak_password"):
        validate_password(password)


def test_the_username_is_not_a_password_in_any_case() -> None:
    with refused("weak_password"):
        validate_password("LongUsername", username="longusername")
    validate_password("LongUsername", username="someone_else")


# --- Display names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("Ace", "Ace"),
        ("  Zoë  ", "Zoë"),
        ("Zoe\u0308", "Zoë"),  # decomposed, stored composed
        ("李小龙", "李小龙"),
        ("a" * 32, "a" * 32),
        ("♠ Pocket Rockets ♠", "♠ Pocket Rockets ♠"),
    ],
)
def test_good_display_names_are_cleaned(given: str, stored: str) -> None:
    assert validate_display_name(given) == stored


@pytest.mark.parametrize(
    "name",
    [
        "",
        "   ",
        "a" * 33,
        "bad\x00name",
        "tab\tname",
        "line\nbreak",
        "two  spaces",
        "evil\u202egnp.exe",  # right-to-left override
        "\u2028",
    ],
)
def test_bad_display_names_are_refused(name: str) -> None:
    with refused("invalid_display_name"):
        validate_display_name(name)


# --- Avatar URLs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://cdn.example.com/avatars/1.png",
        "http://example.com/a.png?size=64#x",
        "https://example.com:8443/a%20b.png",
        "HTTPS://EXAMPLE.COM/A.PNG",
    ],
)
def test_good_avatar_urls_pass(url: str) -> None:
    assert validate_avatar_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "",
        "ftp://example.com/a.png",
        "javascript:alert(1)",
        "data:image/png;base64,AAAA",
        "//example.com/a.png",
        "https://",
        "https:///path-only",
        "https://example.com/a b.png",
        "https://exämple.com/a.png",
        "https://user:secret@example.com/a.png",
        "https://example.com:99999/a.png",
        "https://example.com/" + "a" * 493,
    ],
)
def test_bad_avatar_urls_are_refused(url: str) -> None:
    with refused("invalid_avatar_url"):
        validate_avatar_url(url)


def test_an_avatar_url_may_be_exactly_512_characters() -> None:
    url = "https://example.com/" + "a" * 492
    assert len(url) == 512
    assert validate_avatar_url(url) == url


# --- Countries -----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["FR", "US", "BR", "JP", "AX", "ZW"])
def test_real_country_codes_pass(code: str) -> None:
    assert validate_country(code) == code


@pytest.mark.parametrize("code", ["", "fr", "Fr", "FRA", "UK", "EU", "XK", "ZZ", "F"])
def test_other_country_codes_are_refused(code: str) -> None:
    with refused("invalid_country"):
        validate_country(code)


def test_the_country_list_is_the_whole_standard() -> None:
    assert len(COUNTRY_CODES) == 249
    assert all(len(code) == 2 and code.isupper() for code in COUNTRY_CODES)


# --- Email ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email", ["ace@example.com", "first.last+poker@mail.example.co.uk", "X_Y@ex-ample.org"]
)
def test_good_emails_pass(email: str) -> None:
    assert validate_email(email) == email


@pytest.mark.parametrize(
    "email",
    [
        "",
        "plainaddress",
        "@example.com",
        "ace@",
        "ace@localhost",
        "ace@@example.com",
        "a b@example.com",
        ".ace@example.com",
        "ace.@example.com",
        "a..ce@example.com",
        "ace@-example.com",
        "ace@example..com",
        "ace@10.0.0.1",
        "é@example.com",
        "a" * 65 + "@example.com",
        "ace@" + "a" * 63 + "." + "b" * 63 + "." + "c" * 63 + "." + "d" * 60 + ".com",
    ],
)
def test_bad_emails_are_refused(email: str) -> None:
    with refused("invalid_email"):
        validate_email(email)


def test_emails_compare_without_case() -> None:
    assert email_key("Ace@Example.COM") == email_key("ace@example.com")


# --- Preferences ---------------------------------------------------------------------------------


def test_preferences_have_defaults_and_decode_from_json() -> None:
    assert Preferences() == msgspec.json.decode(b"{}", type=Preferences)
    prefs = msgspec.json.decode(b'{"four_color_deck": true, "language": "pt-BR"}', type=Preferences)
    assert prefs.four_color_deck
    assert prefs.language == "pt-BR"
    assert validate_preferences(prefs) == prefs


@pytest.mark.parametrize(
    "body",
    [
        b'{"language": "e"}',
        b'{"language": "english-long"}',
        b'{"language": "en_US"}',
        b'{"sound": "yes"}',
        b'{"theme": "dark"}',  # unknown fields are refused, not ignored
    ],
)
def test_bad_preferences_do_not_decode(body: bytes) -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(body, type=Preferences)


def test_preferences_built_in_code_are_checked_too() -> None:
    with refused("invalid_preferences"):
        validate_preferences(Preferences(language="x"))
