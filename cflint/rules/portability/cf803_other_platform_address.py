from __future__ import annotations

from typing import NamedTuple
from urllib.parse import urlsplit

import libcst as cst
from msgspec.structs import replace

from cflint.analysis.literals import LeadingText, leading_text
from cflint.model import Severity
from cflint.rule import ParsedFile
from cflint.rule.scoped import ScopedRule

_HOST_KEYWORDS = frozenset({"host", "hostname"})
_UNRESOLVABLE = (
    "which does not resolve from this runtime; call the service at a public address, "
    "set as an environment variable in the console"
)
_NO_METADATA = (
    "which does not resolve from this runtime; set what it gave (project, credentials) "
    "as environment variables in the console"
)
_METADATA_ADDRESS = "169.254.169.254"


class _Place(NamedTuple):
    platform: str
    consequence: str
    severity: Severity


def _place(host: str, path: str) -> _Place | None:
    """The other platform whose network the host belongs to."""
    host = host.lower().rstrip(".")
    if host == "router.fission" or host.startswith("router.fission."):
        return _Place("Fission's router", _UNRESOLVABLE, Severity.ERROR)
    if host.endswith((".svc", ".svc.cluster.local")):
        return _Place("a Kubernetes service address", _UNRESOLVABLE, Severity.ERROR)
    if host == "metadata.google.internal" or (host == "metadata" and path.startswith("/computeMetadata/")):
        return _Place("Google Cloud's metadata server", _NO_METADATA, Severity.ERROR)
    if host == _METADATA_ADDRESS:
        consequence = (
            "a private address this runtime serves no metadata or credentials at; "
            "set what it gave as environment variables in the console"
        )
        return _Place("the metadata server of AWS, Azure and Google Cloud", consequence, Severity.WARNING)
    return None


def _url_host(lead: LeadingText) -> tuple[str, str] | None:
    """The host and path of a URL, when the literal holds the whole host."""
    text = lead.text
    if any(char.isspace() for char in text) or "://" not in text:
        return None
    after_scheme = text.split("://", 1)[1]
    if not lead.complete and not any(char in after_scheme for char in "/?#"):
        return None  # the host may go on past the literal
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        return None
    return (host, parts.path) if host else None


def _bare_host(lead: LeadingText) -> str | None:
    text = lead.text
    if not lead.complete or not text or any(char.isspace() or char in "/@" for char in text):
        return None
    return text.rsplit(":", 1)[0] if text.count(":") == 1 else text


class OtherPlatformAddress(ScopedRule):
    code = "CF803"
    name = "other-platform-address"
    summary = "A URL or host names an address only another platform's network has (Fission, Kubernetes, cloud metadata)"
    message = "{subject} is {platform}, {consequence}"
    requires_text = ("fission", ".svc", "metadata.google.internal", "/computeMetadata/", _METADATA_ADDRESS)

    def __init__(self, file: ParsedFile) -> None:
        super().__init__(file)
        self._reported: set[int] = set()

    def visit_Call(self, node: cst.Call) -> None:
        for arg in node.args:
            if arg.star:
                continue
            as_host = arg.keyword is not None and arg.keyword.value in _HOST_KEYWORDS
            values: list[cst.BaseExpression] = [arg.value]
            if isinstance(arg.value, cst.Name):
                found = self.values.binding_values(arg.value.value, self.scope)
                values = [value for value, _ in found or ()]
            for value in values:
                self._check(value, as_host)

    def visit_Assign(self, node: cst.Assign) -> None:
        if self.scope is None:
            names = [target.target for target in node.targets]
            self._check(node.value, any(_names_a_host(name) for name in names))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if self.scope is None and node.value is not None:
            self._check(node.value, _names_a_host(node.target))

    def _check(self, value: cst.BaseExpression, as_host: bool) -> None:
        lead = leading_text(value)
        if lead is None or id(lead.node) in self._reported:
            return
        found = _url_host(lead)
        if found is None and as_host:
            host = _bare_host(lead)
            found = None if host is None else (host, "")
        place = None if found is None else _place(*found)
        if found is None or place is None:
            return
        self._reported.add(id(lead.node))
        subject = f"the address {found[0]!r}" if place.severity is Severity.WARNING else f"the host {found[0]!r}"
        self.report(lead.node, subject=subject, platform=place.platform, consequence=place.consequence)
        if place.severity is not self.severity:
            self.reports[-1] = replace(self.reports[-1], severity=place.severity)


def _names_a_host(target: cst.BaseExpression) -> bool:
    """A module constant named for a host (`REDIS_HOST`, `host`) holds a bare host name."""
    return isinstance(target, cst.Name) and "host" in target.value.lower()
