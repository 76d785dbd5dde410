"""Roles, preferences and the rules for every field a player chooses for themselves.

Pure: each ``validate_*`` function returns the value to store (cleaned where cleaning is safe) or
raises ``InvalidInput`` with a code that says which field was refused. The HTTP layer decodes
requests into these types; the service calls these functions before it writes anything.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from itertools import pairwise
from typing import Annotated
from urllib.parse import urlsplit

import msgspec

from tablium.errors import InvalidInput


class Role(StrEnum):
    """Server-wide roles; club roles (owner, manager, agent, member) belong to the clubs."""

    PLAYER = "player"
    """Plays at tables and in tournaments; every account starts here."""
    DIRECTOR = "director"
    """Tournament director: runs tournaments through the admin endpoints."""
    ADMIN = "admin"
    """Operates the server: roles, accounts and everything a director may do."""


ROLES: tuple[str, ...] = tuple(role.value for role in Role)
"""The same tuple as ``tablium.db.schema.ROLES`` (a test holds them equal), without importing the
database layer into a pure module."""

Language = Annotated[
    str, msgspec.Meta(min_length=2, max_length=8, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,4})?$")
]
"""A short BCP 47 tag: ``en``, ``pt-BR``, ``zh-Hant``."""


class Preferences(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Client-side display and table preferences. New fields always get a default."""

    four_color_deck: bool = False
    auto_muck: bool = True
    sound: bool = True
    language: Language = "en"
    show_bb_amounts: bool = False


def validate_preferences(preferences: Preferences) -> Preferences:
    """Check constraints that msgspec enforces only when decoding, for values built in code."""
    try:
        return msgspec.convert(msgspec.to_builtins(preferences), Preferences)
    except msgspec.ValidationError as exc:
        raise InvalidInput(f"invalid preferences: {exc}", code="invalid_preferences") from None


# --- Username and password ---------------------------------------------------------------------

USERNAME_MIN, USERNAME_MAX = 3, 32
_USERNAME = re.compile(r"[A-Za-z0-9_.\-]+")


def validate_username(name: str) -> str:
    """3 to 32 ASCII letters, digits, ``_``, ``.`` or ``-``; returned unchanged.

    >>> validate_username("Alice_99")
    'Alice_99'
    >>> validate_username("al")
    Traceback (most recent call last):
    ...
    tablium.errors.InvalidInput: a username has 3 to 32 characters
    """
    if not USERNAME_MIN <= len(name) <= USERNAME_MAX:
        raise InvalidInput(
            f"a username has {USERNAME_MIN} to {USERNAME_MAX} characters", code="invalid_username"
        )
    if not _USERNAME.fullmatch(name):
        raise InvalidInput(
            "a username may hold only letters A-Z, digits and the characters _ . -",
            code="invalid_username",
        )
    return name


def username_key(name: str) -> str:
    """The form two usernames are compared in: ``Alice`` and ``alice`` are the same person."""
    return name.casefold()


PASSWORD_MIN, PASSWORD_MAX = 10, 128

_COMMON_PASSWORDS = frozenset(
    {
        "1q2w3e4r5t",
        "1qaz2wsx3edc",
        "iloveyou12",
        "letmein123",
        "password1!",
        "password12",
        "password123",
        "password1234",
        "passw0rd12",
        "qwerty1234",
        "qwerty12345",
        "qwerty123456",
        "qwertyuiop",
        "asdfghjkl1",
        "zaq12wsxcde",
        "1234qwer!@",
        "1234567890a",
        "a1234567890",
        "123456789a",
        "abc1234567",
        "abcd123456",
        "welcome123",
        "football12",
        "sunshine12",
        "princess12",
        "dragon1234",
        "monkey1234",
        "poker12345",
        "pokerstars",
        "tablium123",
    }
)
"""Long enough for the length rule but among the first any attacker tries."""


def _is_run(password: str) -> bool:
    """Every character one code point after (or before) the previous one: ``abcdefghij``."""
    steps = {ord(b) - ord(a) for a, b in pairwise(password)}
    return steps in ({1}, {-1})


def validate_password(pw: str, *, username: str | None = None) -> None:
    """10 to 128 characters and not trivially guessable; raises ``InvalidInput("weak_password")``.

    Refused: one character repeated, a straight run (``0123456789``), a handful of common
    passwords, and the username itself in any case.

    >>> validate_password("correct horse battery staple")
    >>> validate_password("aaaaaaaaaaaa")
    Traceback (most recent call last):
    ...
    tablium.errors.InvalidInput: a password may not be one character repeated
    """
    if not PASSWORD_MIN <= len(pw) <= PASSWORD_MAX:
        raise InvalidInput(
            f"a password has {PASSWORD_MIN} to {PASSWORD_MAX} characters", code="weak_password"
        )
    if len(set(pw)) == 1:
        raise InvalidInput("a password may not be one character repeated", code="weak_password")
    if _is_run(pw):
        raise InvalidInput("a password may not be a run of characters", code="weak_password")
    folded = pw.casefold()
    if folded in _COMMON_PASSWORDS:
        raise InvalidInput("this password is too common", code="weak_password")
    if username is not None and folded == username.casefold():
        raise InvalidInput("a password may not be the username", code="weak_password")


# --- Profile fields ----------------------------------------------------------------------------

DISPLAY_NAME_MAX = 32
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_DISALLOWED_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Cn", "Zl", "Zp"})


def validate_display_name(name: str) -> str:
    """1 to 32 characters, any script; returned NFC-normalised without surrounding spaces.

    Control characters, unassigned code points, bidirectional overrides (which can make a name
    read as another) and whitespace other than single spaces are refused.

    >>> validate_display_name("  Zoë Ace ")
    'Zoë Ace'
    """
    cleaned = unicodedata.normalize("NFC", name).strip(" ")
    if not 1 <= len(cleaned) <= DISPLAY_NAME_MAX:
        raise InvalidInput(
            f"a display name has 1 to {DISPLAY_NAME_MAX} characters", code="invalid_display_name"
        )
    for char in cleaned:
        category = unicodedata.category(char)
        if category in _DISALLOWED_CATEGORIES or char in _BIDI_CONTROLS:
            raise InvalidInput(
                f"a display name may not contain U+{ord(char):04X}", code="invalid_display_name"
            )
        if char.isspace() and char != " ":
            raise InvalidInput(
                "a display name may contain spaces but no other whitespace",
                code="invalid_display_name",
            )
    if "  " in cleaned:
        raise InvalidInput(
            "a display name may not contain consecutive spaces", code="invalid_display_name"
        )
    return cleaned


AVATAR_URL_MAX = 512
_PRINTABLE_ASCII = re.compile(r"[!-~]+")


def validate_avatar_url(url: str) -> str:
    """An absolute ``https://`` or ``http://`` URL of at most 512 printable ASCII characters.

    Spaces and non-ASCII must be percent-encoded; credentials in the URL are refused.

    >>> validate_avatar_url("https://cdn.example.com/a/1.png")
    'https://cdn.example.com/a/1.png'
    """
    if not 1 <= len(url) <= AVATAR_URL_MAX or not _PRINTABLE_ASCII.fullmatch(url):
        raise InvalidInput(
            f"an avatar URL has at most {AVATAR_URL_MAX} printable ASCII characters, no spaces",
            code="invalid_avatar_url",
        )
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise InvalidInput("the avatar URL is malformed", code="invalid_avatar_url") from None
    if parts.scheme.lower() not in ("https", "http") or not hostname:
        raise InvalidInput(
            "an avatar URL starts with https:// or http:// and names a host",
            code="invalid_avatar_url",
        )
    if parts.username is not None or parts.password is not None:
        raise InvalidInput("an avatar URL may not carry credentials", code="invalid_avatar_url")
    return url


COUNTRY_CODES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR
    BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ
    EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW
    GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY
    KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV
    MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY
    QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG
    TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM
    ZW
    """.split()  # noqa: SIM905 - reads as the standard's table
)
"""The 249 officially assigned ISO 3166-1 alpha-2 codes. User-assigned codes (``XK``) and
reserved ones (``UK``, ``EU``) are not countries here."""


def validate_country(code: str) -> str:
    """An officially assigned ISO 3166-1 alpha-2 code, in capitals.

    >>> validate_country("FR")
    'FR'
    >>> validate_country("UK")
    Traceback (most recent call last):
    ...
    tablium.errors.InvalidInput: 'UK' is not an ISO 3166-1 alpha-2 country code
    """
    if code not in COUNTRY_CODES:
        raise InvalidInput(
            f"{code!r} is not an ISO 3166-1 alpha-2 country code", code="invalid_country"
        )
    return code


EMAIL_MAX = 254
_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.\-]{1,64}")
_DOMAIN_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?")


def validate_email(email: str) -> str:
    """A plain ``local@domain.tld`` address of at most 254 characters, returned unchanged.

    Deliberately simple: ASCII, one ``@``, a dotted domain. Whether the mailbox exists is for a
    confirmation mail to find out, not for a regular expression.

    >>> validate_email("ace@example.com")
    'ace@example.com'
    """
    local, at, domain = email.rpartition("@")
    labels = domain.split(".")
    valid = (
        len(email) <= EMAIL_MAX
        and at == "@"
        and _EMAIL_LOCAL.fullmatch(local) is not None
        and not local.startswith(".")
        and not local.endswith(".")
        and ".." not in local
        and len(labels) >= 2
        and all(_DOMAIN_LABEL.fullmatch(label) for label in labels)
        and not labels[-1].isdigit()
    )
    if not valid:
        raise InvalidInput(f"{email!r} is not a valid email address", code="invalid_email")
    return email


def email_key(email: str) -> str:
    """The form two addresses are compared in: one account per mailbox, whatever the case."""
    return email.casefold()
