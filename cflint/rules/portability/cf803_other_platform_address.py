from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import urlsplit

import libcst as cst

from cflint.analysis.literals import LeadingText, leading_text
from cflint.knowledge.timeouts import CALLEES
from cflint.model import Severity
from cflint.record import replace
from cflint.rule import ParsedFile
from cflint.rule.scoped import ScopedRule

# Keywords that take a host, or the `host:port` of a service the call connects to.
_HOST_KEYWORDS = frozenset({"host", "hostname"})
_CONNECT_KEYWORDS = frozenset({"bootstrap_servers", "endpoint", "brokers", "servers", "hosts"})
_HOST_AND_PORT = re.compile(r"[A-Za-z0-9.-]+:\d{1,5}")
_UNRESOLVABLE = (
    "which does not resolve from this runtime; call the service at a public address, "
    "set as an environment variable in the console"
)
_NO_METADATA = (
    "which does not resolve from this runtime; set what it gave (project, credentials) "
    "as environment variables in the console"
)
_NOTHING_LOCAL = (
    "where no service runs unless the function starts it; "
    "call the service at a public address, set as an environment variable in the console"
)
_METADATA_ADDRESS = "169.254.169.254"
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
# Calls that connect to the address in their arguments: the network calls of the timeout
# catalogue, and clients that take a URL or `host:port` without a timeout.
_CONNECTING_CALLS = frozenset(
    name for name in CALLEES if "()" not in name and not name.startswith(("subprocess.", "os."))
) | frozenset(
    {
        "httpx.get",
        "httpx.post",
        "httpx.put",
        "httpx.patch",
        "httpx.delete",
        "httpx.request",
        "pymongo.MongoClient",
        "psycopg2.connect",
        "pymysql.connect",
        "sqlalchemy.create_engine",
        "pika.URLParameters",
        "kafka.KafkaProducer",
        "kafka.KafkaConsumer",
        "aiokafka.AIOKafkaProducer",
        "aiokafka.AIOKafkaConsumer",
        "elasticsearch.Elasticsearch",
        "websocket.create_connection",
    }
)
# Calls that start a local service the function can then call on localhost.
_STARTS_A_PROCESS = ("subprocess.", "os.system", "os.popen", "os.spawn", "os.exec", "multiprocessing.Process")


class _Place(NamedTuple):
    platform: str
    consequence: str
    severity: Severity
    local: bool = False  # the function's own machine: reported only in a call that connects to it


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
    if host in _LOCAL_HOSTS:
        return _Place("the function's own machine", _NOTHING_LOCAL, Severity.WARNING, local=True)
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


def _host_and_port(lead: LeadingText) -> str | None:
    """The host of a whole `host:port` literal, which names a service wherever it is passed."""
    return lead.text.rsplit(":", 1)[0] if lead.complete and _HOST_AND_PORT.fullmatch(lead.text) else None


class OtherPlatformAddress(ScopedRule):
    code = "CF803"
    name = "other-platform-address"
    summary = (
        "A URL or host names an address only another platform's network has (Fission, Kubernetes, "
        "cloud metadata), or a local service the function does not start"
    )
    message = "{subject} is {platform}, {consequence}"
    requires_text = (
        "fission",
        ".svc",
        "metadata.google.internal",
        "/computeMetadata/",
        _METADATA_ADDRESS,
        "localhost",
        "127.0.0.1",
        "::1",
    )

    def __init__(self, file: ParsedFile) -> None:
        super().__init__(file)
        self._reported: set[int] = set()
        self._local_reports: list[int] = []
        self._starts_a_process = False

    def visit_Call(self, node: cst.Call) -> None:
        qualified = self.qualify(node.func) or ""
        if qualified.startswith(_STARTS_A_PROCESS):
            self._starts_a_process = True
        connects = qualified in _CONNECTING_CALLS
        for arg in node.args:
            if arg.star:
                continue
            keyword = arg.keyword.value if arg.keyword is not None else None
            as_host = keyword in _HOST_KEYWORDS or keyword in _CONNECT_KEYWORDS
            for value in self._values_of(arg.value, many=keyword in _CONNECT_KEYWORDS):
                self._check(value, as_host, connects)

    def _values_of(self, value: cst.BaseExpression, many: bool) -> list[cst.BaseExpression]:
        """The expressions an argument may be: itself, what a name is bound to, and the items of
        a list or tuple of servers."""
        values: list[cst.BaseExpression] = [value]
        if isinstance(value, cst.Name):
            found = self.values.binding_values(value.value, self.scope)
            values = [bound for bound, _ in found or ()]
        if many:
            values = [
                item.value
                for bound in values
                for item in (bound.elements if isinstance(bound, cst.List | cst.Tuple) else [cst.Element(bound)])
            ]
        return values

    def visit_Assign(self, node: cst.Assign) -> None:
        if self.scope is None:
            names = [target.target for target in node.targets]
            self._check(node.value, any(_names_a_host(name) for name in names), False)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if self.scope is None and node.value is not None:
            self._check(node.value, _names_a_host(node.target), False)

    def leave_Module(self, original_node: cst.Module) -> None:
        if self._starts_a_process:
            local = set(self._local_reports)
            self.reports = [report for index, report in enumerate(self.reports) if index not in local]

    def _check(self, value: cst.BaseExpression, as_host: bool, connects: bool) -> None:
        lead = leading_text(value)
        if lead is None or id(lead.node) in self._reported:
            return
        found = _url_host(lead)
        if found is None and as_host:
            host = _bare_host(lead)
            found = None if host is None else (host, "")
        if found is None:
            host = _host_and_port(lead)
            found = None if host is None else (host, "")
        place = None if found is None else _place(*found)
        if found is None or place is None or (place.local and not connects):
            return
        self._reported.add(id(lead.node))
        if place.local:
            self._local_reports.append(len(self.reports))
        subject = f"the address {found[0]!r}" if place.severity is Severity.WARNING else f"the host {found[0]!r}"
        self.report(lead.node, subject=subject, platform=place.platform, consequence=place.consequence)
        if place.severity is not self.severity:
            self.reports[-1] = replace(self.reports[-1], severity=place.severity)


def _names_a_host(target: cst.BaseExpression) -> bool:
    """A module constant named for a host (`REDIS_HOST`, `host`) holds a bare host name."""
    return isinstance(target, cst.Name) and "host" in target.value.lower()
