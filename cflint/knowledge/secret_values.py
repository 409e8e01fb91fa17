"""Which literal texts are secrets: detect-secrets' detectors (AWS key IDs, private keys,
credentials in URLs, high-entropy strings and its filters of templated and sequential
strings), behind cheap text checks that decide whether they are asked at all.

detect-secrets is imported only when a text passes those checks: its plugins import
`requests`, a tenth of a second that a run with no candidate never pays.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# A name holds a secret when its last word is one of these (split at `_`, `-`, `.` and
# camelCase); `key` alone only with a word before it that makes it a credential
# (`SECRET_KEY`, `api_key`, not `cache_key`).
_SECRET_WORDS = frozenset(
    {"secret", "password", "passwd", "pwd", "passphrase", "token", "apikey", "credential", "credentials"}
)
_KEY_QUALIFIERS = frozenset(
    {"api", "access", "secret", "private", "auth", "client", "app", "master", "signing", "encryption"}
    | {"subscription", "consumer", "service", "account", "license", "webhook", "x"}
)
# Tokens that are not credentials: a page cursor, a form's anti-forgery field name.
_NOT_SECRET_TOKENS = frozenset({"page", "next", "continuation", "cursor", "sync", "csrf", "xsrf"})
# Compiled on first use (by `re`'s cache), as _URL is: a run that meets no candidate needs neither.
_WORD = r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])"

# A value this short, or with these words, is a placeholder or an example, not a key.
MIN_KEY_LENGTH = 16
_PLACEHOLDER_WORDS = (
    "example",
    "changeme",
    "change-me",
    "change_me",
    "your",
    "placeholder",
    "dummy",
    "fake",
    "sample",
    "xxxx",
    "test",
    "redacted",
    "insert",
    "replace",
    "secret",
    "password",
    "token",
)
_URL = r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>]+"
_URL_PASSWORD_PLACEHOLDERS = frozenset({"pass", "password", "passwd", "pwd", "secret", "token", "changeme"})
AWS_KEY_ID = "an AWS access key ID"
PRIVATE_KEY = "a private key"
# Calls whose positional parameters are documented as these names, so that a password passed
# by position is known as one: pika, requests, httpx and aiohttp credentials.
_USER_AND_PASSWORD = ("username", "password")
PASSWORD_PARAMETERS: dict[str, tuple[str, ...]] = {
    "pika.PlainCredentials": _USER_AND_PASSWORD,
    "pika.credentials.PlainCredentials": _USER_AND_PASSWORD,
    "requests.auth.HTTPBasicAuth": _USER_AND_PASSWORD,
    "requests.auth.HTTPDigestAuth": _USER_AND_PASSWORD,
    "requests.auth.HTTPProxyAuth": _USER_AND_PASSWORD,
    "httpx.BasicAuth": _USER_AND_PASSWORD,
    "httpx.DigestAuth": _USER_AND_PASSWORD,
    "aiohttp.BasicAuth": ("login", "password", "encoding"),
    "aiohttp.helpers.BasicAuth": ("login", "password", "encoding"),
}
# Cheap first looks for detect-secrets' structural detectors (AWSKeyDetector's key-ID
# prefixes, PrivateKeyDetector's headers, BasicAuthDetector's `://user:password@`).
_AWS_KEY_PREFIXES = ("A3T", "ABIA", "ACCA", "AKIA", "ASIA")
_PRIVATE_KEY_MARKERS = ("PRIVATE KEY", "PuTTY-User-Key-File")
# A file holds a candidate only if it has one of these: a secret-like name's word in any
# case, a URL, or an AWS key ID's prefix (a private key's header has `KEY`).
CANDIDATE_TEXTS = (
    *(
        spelling
        for word in ("key", "secret", "token", "pass", "pwd", "credential")
        for spelling in (word, word.capitalize(), word.upper())
    ),
    "://",
    *_AWS_KEY_PREFIXES,
    # In a fixed order, not a set's: the rule index holds these as CF507's `requires_text`.
    *dict.fromkeys(callee.rpartition(".")[2] for callee in PASSWORD_PARAMETERS),
)
# A password is no random key, but a real one mixes kinds of character: at least this many
# of lower case, upper case, digits and other characters, over at least _MIN_PASSWORD_LENGTH.
_MIN_PASSWORD_LENGTH = 8
_MIN_PASSWORD_CHARACTER_KINDS = 3
# A private key literal carries its key material, not only the header line a parser looks for.
_MIN_PRIVATE_KEY_LENGTH = 100


def name_words(name: str) -> list[str]:
    return [word.lower() for word in re.findall(_WORD, name)]


def is_secret_name(name: str) -> bool:
    """Whether a variable, attribute, keyword or key named `name` holds a credential."""
    words = name_words(name)
    if not words:
        return False
    last = words[-1]
    before = words[-2] if len(words) > 1 else ""
    if last == "key":
        return before in _KEY_QUALIFIERS
    if last == "token":
        return before not in _NOT_SECRET_TOKENS
    return last in _SECRET_WORDS


def is_placeholder(value: str) -> bool:
    """A value that stands for a secret rather than being one: `<token>`, `your-api-key`,
    `xxxx...`, `${TOKEN}`, a sequence (`abcdef...`), one character repeated."""
    from detect_secrets.filters.heuristic import is_sequential_string, is_templated_secret

    lowered = value.lower()
    return (
        any(word in lowered for word in _PLACEHOLDER_WORDS)
        or len(set(value)) <= 2
        or is_templated_secret(value)
        or value.startswith("$")
        or is_sequential_string(value)
    )


def _is_key_candidate(value: str) -> bool:
    return len(value) >= MIN_KEY_LENGTH and not any(character.isspace() for character in value)


def looks_like_key(value: str) -> bool:
    """Whether `value`, given to a secret-like name, is a real key: long, random (above
    detect-secrets' entropy limits for hex and base64 text) and no placeholder."""
    if not _is_key_candidate(value):
        return False
    from detect_secrets.plugins.high_entropy_strings import Base64HighEntropyString, HexHighEntropyString

    if is_placeholder(value):
        return False
    hex_detector = HexHighEntropyString()
    if all(character in hex_detector.charset for character in value):
        return hex_detector.calculate_shannon_entropy(value) > hex_detector.entropy_limit
    base64_detector = Base64HighEntropyString()
    return base64_detector.calculate_shannon_entropy(value) > base64_detector.entropy_limit


def looks_like_password(value: str) -> bool:
    """Whether `value`, given to a parameter that takes a password, is a real password rather
    than a product's default (`guest`, `postgres`, `elastic`) or a placeholder."""
    if looks_like_key(value):
        return True
    if len(value) < _MIN_PASSWORD_LENGTH or any(character.isspace() for character in value):
        return False
    kinds = (str.islower, str.isupper, str.isdigit, lambda character: not character.isalnum())
    if sum(any(kind(character) for character in value) for kind in kinds) < _MIN_PASSWORD_CHARACTER_KINDS:
        return False
    return not is_placeholder(value) and not is_placeholder_password(value)


def url_with_password(text: str) -> str | None:
    """The host of a URL in `text` that carries a real password (`scheme://user:password@host`),
    else None. A placeholder password (`<password>`, `${PASS}`, `password`) is none."""
    if "://" not in text or "@" not in text:
        return None
    from detect_secrets.plugins.basic_auth import BasicAuthDetector

    for url in re.findall(_URL, text):
        match = BasicAuthDetector.denylist[0].search(url)
        if match is None:
            continue
        password = match.group(1)
        if password.lower() in _URL_PASSWORD_PLACEHOLDERS or is_placeholder_password(password):
            continue
        try:
            host = urlsplit(url).hostname
        except ValueError:
            host = None
        return host or "its host"
    return None


def is_placeholder_password(password: str) -> bool:
    from detect_secrets.filters.heuristic import is_templated_secret

    return (
        is_templated_secret(password)
        or password.startswith(("$", "%", "*"))
        or set(password) <= {"x", "X", "*", "."}
        or any(word in password.lower() for word in ("example", "your", "changeme"))
    )


def structural_secret(text: str) -> str | None:
    """What `text` holds when its form alone says it is a secret: an AWS access key ID or a
    private key (detect-secrets' detectors; the documented example keys excluded), else None."""
    if any(prefix in text for prefix in _AWS_KEY_PREFIXES):
        from detect_secrets.plugins.aws import AWSKeyDetector

        match = AWSKeyDetector.denylist[0].search(text)
        if match is not None and "EXAMPLE" not in text and not is_placeholder(match.group()):
            return AWS_KEY_ID
    if len(text) >= _MIN_PRIVATE_KEY_LENGTH and any(marker in text for marker in _PRIVATE_KEY_MARKERS):
        from detect_secrets.plugins.private_key import PrivateKeyDetector

        if any(pattern.search(text) for pattern in PrivateKeyDetector.denylist):
            return PRIVATE_KEY
    return None
