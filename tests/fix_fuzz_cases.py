"""Function folders for the fix-fuzz test (`tests/test_fix_fuzz.py`), one per seed.

Each folder holds a `user.py` whose `main` reads Flask's request and makes the calls cflint
fixes (CF403), in awkward places: comprehensions, lambdas, decorators, default arguments,
nested calls, arguments split by comments, `**kwargs`, aliases and sessions. It may take
the request as a parameter (CF103), return `json.dumps(...)` text (CF207) or a Lambda
response dict (CF804), return a caught exception as its body (CF206), import from `flask` what moved to `markupsafe` (CF603), import a
sibling relatively (CF305), carry noqa directives that are malformed or unused (CF010,
CF011), and import what `requirements.txt` lacks (CF303). The text is then written with LF, CRLF or CR line endings, spaces or tabs,
in UTF-8, UTF-8 with a BOM, or Latin-1 with a coding cookie.

Every call reaches only local stubs (`tests/fix_fuzz_harness.py`) or runs `true`, so the
function imports and answers without a network. The query string picks a branch whose
status class the generator knows: `expected`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

HEX = "a" * 64


@dataclass(frozen=True)
class Case:
    seed: int
    features: frozenset[str]
    files: dict[str, bytes]
    query: str
    expected: str  # the status class the intended code answers with: "2xx", "4xx" or "5xx"
    # The original cannot run on the platform (a relative import, an import flask no longer
    # has): it fails to import, and the fix is what makes it run.
    breaks_before: bool
    # No fix can make it run (a relative import of a sibling named like a standard-library
    # module): the fixed module fails to import as the original does.
    breaks_after: bool = False

    @property
    def name(self) -> str:
        return f"case{self.seed:05d}"

    def text(self, name: str = "user.py") -> str:
        return self.files[name].decode("latin-1")


_AS = {
    "get": "fetch_get",
    "request": "http_request",
    "Session": "HttpSession",
}  # names that main's own names would shadow


@dataclass
class _Http:
    """How the module names requests: `import requests`, `import requests as r`, or names
    imported from it."""

    style: str
    from_names: set[str] = field(default_factory=set)

    def import_lines(self) -> list[str]:
        if self.style == "module":
            return ["import requests"]
        if self.style == "alias":
            return ["import requests as r"]
        names = sorted(self.from_names) or ["get"]
        return ["from requests import " + ", ".join(f"{n} as {_AS[n]}" if n in _AS else n for n in names)]

    def verb(self, verb: str) -> str:
        if self.style == "module":
            return f"requests.{verb}"
        if self.style == "alias":
            return f"r.{verb}"
        self.from_names.add(verb)
        return _AS.get(verb, verb)


@dataclass
class _Sub:
    """How the module names subprocess."""

    style: str
    from_names: set[str] = field(default_factory=set)

    def import_lines(self) -> list[str]:
        if self.style == "module":
            return ["import subprocess"]
        if self.style == "alias":
            return ["import subprocess as sp"]
        names = sorted(self.from_names) or ["run"]
        return ["from subprocess import " + ", ".join("run as go" if n == "run" else n for n in names)]

    def name(self, what: str) -> str:
        if self.style == "module":
            return f"subprocess.{what}"
        if self.style == "alias":
            return f"sp.{what}"
        self.from_names.add(what)
        return "go" if what == "run" else what


class _Builder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.features: set[str] = set()
        self.imports: list[str] = ["import json"]
        self.module: list[str] = []  # module-level blocks, before main
        self.body: list[str] = []  # statements of main, before its branches
        self.body_keys: list[str] = []  # names main's answer includes
        self.http: _Http | None = None
        self.sub: _Sub | None = None
        self.other_imports: set[str] = set()
        self.needs: set[str] = set()  # third-party modules imported (for requirements.txt)
        self.files: dict[str, str] = {}
        self.breaks_before = False
        self.breaks_after = False
        self.encoding = rng.choice(["utf-8", "utf-8", "utf-8-sig", "latin-1", rng.choice(["cp1252", "utf-8-cookie"])])

    def feature(self, name: str) -> None:
        self.features.add(name)

    def use_http(self) -> _Http:
        if self.http is None:
            self.http = _Http(self.rng.choice(["module", "alias", "from"]))
            self.feature(f"requests-{self.http.style}")
            self.needs.add("requests")
        return self.http

    def get(self) -> str:
        return self.use_http().verb(self.rng.choice(["get", "get", "head", "post"]))

    def session(self) -> str:
        return self.use_http().verb("Session") + "()"

    def use_sub(self) -> _Sub:
        if self.sub is None:
            self.sub = _Sub(self.rng.choice(["module", "alias", "from"]))
            self.feature(f"subprocess-{self.sub.style}")
        return self.sub

    def stdlib(self, module: str) -> None:
        self.other_imports.add(f"import {module}")


# Statements of main that make calls (each adds to `b.body`).


def _comprehension(b: _Builder) -> None:
    b.feature("comprehension")
    form = b.rng.choice(["list", "dict", "generator"])
    call = b.get()
    if form == "list":
        b.body.append(f'codes = [{call}(u).status_code for u in ("http://stub/a", "http://stub/b")]')
    elif form == "dict":
        b.body.append(f'codes = {{u: {call}(u).status_code for u in ("http://stub/c",)}}')
    else:
        b.body.append(f'codes = sum({call}(u).status_code for u in ["http://stub/d"])')
    b.body_keys.append("codes")


def _lambda(b: _Builder) -> None:
    b.feature("lambda")
    call = b.get()
    if b.rng.random() < 0.5:
        b.body.append(f'fetch = lambda u: {call}(u)\nlam = fetch("http://stub/l").status_code')
    else:
        b.feature("kwargs")
        given = b.rng.choice(["", ", timeout=3", ", headers={}"])
        b.body.append(f'fetch = lambda u, **kw: {call}(u, **kw)\nlam = fetch("http://stub/k"{given}).status_code')
    b.body_keys.append("lam")


def _expressions(b: _Builder) -> None:
    """Calls in an f-string, an assignment expression, a conditional expression."""
    b.feature("expressions")
    call = b.get()
    form = b.rng.choice(["fstring", "walrus", "conditional", "request-function"])
    if form == "fstring":
        b.body.append(f"expr = f\"{{{call}('http://stub/f').status_code}}\"")
    elif form == "walrus":
        b.body.append(f'expr = (resp_w := {call}("http://stub/w")).status_code if True else 0')
    elif form == "conditional":
        b.body.append(f'expr = {call}("http://stub/y").status_code if mode else {call}("http://stub/z").status_code')
    else:
        b.body.append(f'expr = {b.use_http().verb("request")}("GET", "http://stub/q").status_code')
    b.body_keys.append("expr")


def _nested(b: _Builder) -> None:
    b.feature("nested")
    outer, inner = b.use_http().verb("post"), b.get()
    if b.rng.random() < 0.5:
        b.body.append(f'nest = {outer}("http://stub/p", data={inner}("http://stub/g").text).status_code')
    else:
        b.body.append(
            f'nest = {outer}("http://stub/p", json={{"a": {inner}("http://stub/g", '
            f'params={{"q": {inner}("http://stub/h").text}}).status_code}}).status_code'
        )
    b.body_keys.append("nest")


def _commented_arguments(b: _Builder) -> None:
    b.feature("comments-in-arguments")
    call = b.get()
    form = b.rng.choice(["trailing-comma", "no-comma", "comment-lines"])
    if form == "trailing-comma":
        b.body.append(
            f'resp = {call}(\n    "http://stub/c",  # the url\n    params={{"q": "1"}},  # the query\n)\ncommented = resp.status_code'
        )
    elif form == "no-comma":
        b.body.append(f'resp = {call}("http://stub/c"  # no comma after me\n)\ncommented = resp.status_code')
    else:
        b.body.append(
            f'resp = {call}(\n    # before the url\n    "http://stub/c",\n    # between the arguments\n'
            f'    params={{"q": "1"}}\n    # before the parenthesis\n)\ncommented = resp.status_code'
        )
    b.body_keys.append("commented")


def _kwargs(b: _Builder) -> None:
    b.feature("kwargs")
    call = b.get()
    opts = b.rng.choice(['{"timeout": 5}', "{}", 'dict(headers={"a": "b"})'])
    b.body.append(f'opts = {opts}\nkw = {call}("http://stub/o", **opts).status_code')
    b.body_keys.append("kw")


def _timeout_none(b: _Builder) -> None:
    b.feature("timeout-none")
    call = b.get()
    b.body.append(f'tnone = {call}("http://stub/n", timeout=None).status_code')
    b.body_keys.append("tnone")


def _session(b: _Builder) -> None:
    b.feature("session")
    form = b.rng.choice(["local", "with", "module", "positional"])
    if form == "local":
        b.body.append(f's = {b.session()}\nsess = s.get("http://stub/s").status_code')
    elif form == "with":
        b.body.append(f'with {b.session()} as s2:\n    sess = s2.post("http://stub/w", data="x").status_code')
    elif form == "module":
        b.module.append(f"SESSION = {b.session()}")
        b.body.append('sess = SESSION.request("GET", "http://stub/r").status_code')
    else:
        b.feature("session-positional-timeout")
        b.module.append(f"SESSION = {b.session()}")
        b.body.append(
            'sess = SESSION.request("GET", "http://stub/r", None, None, None, None, None, None, None).status_code'
        )
    b.body_keys.append("sess")


def _subprocess(b: _Builder) -> None:
    b.feature("subprocess")
    sub = b.use_sub()
    form = b.rng.choice(["run", "run-check", "check_output", "wait", "communicate", "call-none"])
    if form == "run":
        b.body.append(f'{sub.name("run")}(["true"])')
    elif form == "run-check":
        b.body.append(f'{sub.name("run")}(\n    ["true"],\n    check=True,\n)')
    elif form == "check_output":
        b.body.append(f'out = {sub.name("check_output")}(["true"]).decode()')
    elif form == "wait":
        b.body.append(f'{sub.name("Popen")}(["true"]).wait()')
    elif form == "communicate":
        b.body.append(f'proc = {sub.name("Popen")}(["true"], stdout={sub.name("PIPE")})\nproc.communicate()')
    else:
        b.body.append(f'{sub.name("call")}(["true"], timeout=None)')


def _urllib(b: _Builder) -> None:
    b.feature("urllib")
    form = b.rng.choice(["urlopen", "alias", "module-alias", "positional-none", "opener"])
    if form == "alias":
        b.other_imports.add("from urllib.request import urlopen as uo")
        b.body.append('page = uo("http://stub/u").read().decode()')
    elif form == "module-alias":
        b.other_imports.add("import urllib.request as ur")
        b.body.append('page = ur.urlopen("http://stub/u", timeout=None).read().decode()')
    else:
        b.stdlib("urllib.request")
        call = {
            "urlopen": 'urllib.request.urlopen("http://stub/u")',
            "positional-none": 'urllib.request.urlopen("http://stub/u", None, None)',
            "opener": 'urllib.request.build_opener().open("http://stub/o")',
        }[form]
        b.body.append(f"page = {call}.read().decode()")
    b.body_keys.append("page")


def _connections(b: _Builder) -> None:
    b.feature("connections")
    form = b.rng.choice(["http", "https", "http-none", "smtp", "smtp-local", "lmtp4", "smtp-ssl", "smtp-ssl6"])
    form = b.rng.choice([form, "ftp", "ftp-tls", "ftp-tls8", "socket"])
    module = (
        "socket" if form == "socket" else {"h": "http.client", "s": "smtplib", "l": "smtplib", "f": "ftplib"}[form[0]]
    )
    b.stdlib(module)
    call = {
        "http": 'http.client.HTTPConnection("stub.invalid")',
        "https": 'http.client.HTTPSConnection("stub.invalid", 443)',
        "http-none": 'http.client.HTTPConnection("stub.invalid", 80, None)',
        "smtp": 'smtplib.SMTP("stub.invalid")',
        "smtp-local": 'smtplib.SMTP("stub.invalid", 25, "local.invalid")',
        "lmtp4": 'smtplib.LMTP("stub.invalid", 2003, None, None)',
        "smtp-ssl": 'smtplib.SMTP_SSL("stub.invalid")',
        "smtp-ssl6": 'smtplib.SMTP_SSL("stub.invalid", 465, None, None, None, None)',
        "ftp": 'ftplib.FTP("stub.invalid")',
        "ftp-tls": 'ftplib.FTP_TLS("stub.invalid")',
        "ftp-tls8": 'ftplib.FTP_TLS("stub.invalid", "", "", "", None, None, None, None)',
        "socket": 'socket.create_connection(("stub.invalid", 80))',
    }[form]
    if form in ("lmtp4", "smtp-ssl6", "ftp-tls8"):
        b.feature("positional-timeout-shape")
    b.body.append(f"conn = {call}\nconnection = type(conn).__name__")
    b.body_keys.append("connection")


def _redis(b: _Builder) -> None:
    b.feature("redis")
    b.needs.add("redis")
    b.other_imports.add("import redis")
    form = b.rng.choice(["keyword", "positional", "from_url", "strict", "positional5"])
    call = {
        "keyword": 'redis.Redis(host="localhost")',
        "positional": 'redis.Redis("localhost", 6379, 0)',
        "from_url": 'redis.from_url("redis://stub")',
        "strict": "redis.StrictRedis()",
        "positional5": 'redis.Redis("localhost", 6379, 0, None, None)',
    }[form]
    if form == "positional5":
        b.feature("positional-timeout-shape")
    b.body.append(f'cache = {call}\ncached = cache.get("k")')
    b.body_keys.append("cached")


def _awkward_lines(b: _Builder) -> None:
    """A call on a line continued by a backslash, after a semicolon, on an `if` line, after
    non-ASCII text or a tab on its line."""
    form = b.rng.choice(["backslash", "semicolon", "one-line-if", "non-ascii", "non-bmp", "inner-tab"])
    if form == "non-bmp" and b.encoding in ("latin-1", "cp1252"):
        form = "non-ascii"
    b.feature(f"line-{form}")
    call = f'{b.get()}("http://stub/line")'
    b.body.append(
        {
            "backslash": f"awkward = \\\n    {call}.status_code",
            "semicolon": f"awkward = 0; awkward = {call}.status_code",
            "one-line-if": f"awkward = 0\nif mode: awkward = {call}.status_code",
            "non-ascii": f'awkward = {{"déjà": {call}.status_code}}["déjà"]',
            "non-bmp": f'awkward = {{"\U0001f600": {call}.status_code}}["\U0001f600"]',
            "inner-tab": f"awkward =\t{call}.status_code",
        }[form]
    )
    b.body_keys.append("awkward")


def _os_system(b: _Builder) -> None:
    b.feature("os-system")
    b.stdlib("os")
    b.body.append('os.system("true")')


# Module-level code that makes calls when the module is imported.


def _decorator(b: _Builder) -> None:
    b.feature("decorator")
    b.module.append(
        "def tag(value):\n    def wrap(fn):\n        fn.tag = value\n        return fn\n\n    return wrap\n\n\n"
        f'@tag({b.get()}("http://stub/deco").status_code)\ndef ping():\n    return ping.tag'
    )
    b.body.append("pinged = ping()")
    b.body_keys.append("pinged")


def _default_argument(b: _Builder) -> None:
    b.feature("default-argument")
    if b.rng.random() < 0.5 or b.sub is not None:
        default = f'{b.get()}("http://stub/default").status_code'
    else:
        default = f'{b.use_sub().name("run")}(["true"]).returncode'
    b.module.append(f"def probe(code={default}):\n    return code")
    b.body.append("probed = probe()")
    b.body_keys.append("probed")


def _module_lambda(b: _Builder) -> None:
    b.feature("lambda")
    b.module.append(f"FETCH = lambda url, **kw: {b.get()}(url, **kw)")
    b.body.append('fetched = FETCH("http://stub/m").status_code')
    b.body_keys.append("fetched")


def _class_attribute(b: _Builder) -> None:
    b.feature("class-attribute")
    b.module.append(f'class Config:\n    status = {b.get()}("http://stub/class").status_code')
    b.body.append("configured = Config.status")
    b.body_keys.append("configured")


def _keyword_only_default(b: _Builder) -> None:
    b.feature("default-argument")
    b.module.append(f'def check(*, code={b.get()}("http://stub/kwonly").status_code, **rest):\n    return code')
    b.body.append("checked = check()")
    b.body_keys.append("checked")


def _third_party(b: _Builder) -> None:
    """Imports requirements.txt may lack (CF303) that are not calls."""
    form = b.rng.choice(["yaml", "google-cloud"])
    b.feature(f"import-{form}")
    if form == "yaml":
        b.needs.add("pyyaml")
        b.other_imports.add("import yaml")
        b.body.append('dumped = yaml.safe_dump({"a": 1}).strip()')
        b.body_keys.append("dumped")
    else:
        b.needs.add("google-cloud-storage")
        b.other_imports.add("from google.cloud import storage")
        b.body.append("client = type(storage.Client()).__name__")
        b.body_keys.append("client")


def _method(b: _Builder) -> None:
    b.feature("method")
    b.module.append(
        'class Client:\n    def __init__(self, base="http://stub/base"):\n        self.base = base\n\n'
        f'    def fetch(self, path=""):\n        return {b.get()}(self.base + path)'
    )
    b.body.append('method = Client().fetch("/x").status_code')
    b.body_keys.append("method")


CALLS = (
    _comprehension,
    _lambda,
    _nested,
    _commented_arguments,
    _kwargs,
    _timeout_none,
    _session,
    _subprocess,
    _urllib,
    _connections,
    _redis,
    _os_system,
    _decorator,
    _default_argument,
    _module_lambda,
    _method,
    _expressions,
    _class_attribute,
    _keyword_only_default,
    _third_party,
    _awkward_lines,
)

# Suppression comments that CF010 finds malformed or CF011 finds unused.


def _noqa(b: _Builder) -> None:
    form = b.rng.choice(
        ["malformed", "unused-codes", "blanket", "used", "malformed-on-call", "call-first-line", "call-last-line"]
    )
    b.feature(f"noqa-{form}")
    if form == "malformed":
        b.module.append("LIMIT = 3  # noqa CF403")
    elif form == "unused-codes":
        b.stdlib("os")
        b.module.append("SEPARATOR = os.sep  # noqa: CF403, E501")
    elif form == "blanket":
        b.body.append("unused = 1  # noqa")
    elif form == "used":
        b.body.append(f'{b.get()}("http://stub/q")  # noqa: CF403')
    elif form == "malformed-on-call":
        b.body.append(f'{b.use_sub().name("run")}(["true"])  # noqa CF403 -- must finish')
    elif form == "call-first-line":  # where CF403 reports the call: used
        b.body.append(f'{b.get()}(  # noqa: CF403\n    "http://stub/first",\n)')
    else:  # not where CF403 reports it: unused, and the call gets its timeout
        b.body.append(f'{b.get()}(\n    "http://stub/last",\n)  # noqa: CF403')


def _relative_import(b: _Builder) -> str:
    """A relative import of a sibling (CF305); returns the expression main reads from it."""
    b.breaks_before = True
    b.files["helpers.py"] = 'VALUE = 7\n\n\ndef greet():\n    return "hi"\n'
    form = b.rng.choice(["module", "names", "alias", "stdlib-name", "parenthesized", "parenthesized-comment"])
    b.feature(f"cf305-{form}")
    if form == "module":
        b.imports.append("from . import helpers")
        return "helpers.greet()"
    if form == "parenthesized":
        b.imports.append(
            b.rng.choice(
                ["from . import (\n    helpers,\n)", "from .helpers import (\n    greet,  # hi\n    VALUE,\n)"]
            )
        )
        return "helpers.greet()" if "import (\n    helpers" in b.imports[-1] else "greet()"
    if form == "parenthesized-comment":  # CF305 offers no fix: `import` has no parentheses to keep it in
        b.breaks_after = True
        b.imports.append("from . import (\n    helpers,  # the sibling\n)")
        return "helpers.greet()"
    if form == "names":
        b.imports.append("from .helpers import greet, VALUE")
        return "greet() + str(VALUE)"
    if form == "alias":
        b.imports.append("from .helpers import greet as g  # the sibling")
        return "g()"
    b.breaks_after = True
    b.files["logging.py"] = 'def setup():\n    return "set up"\n'
    b.imports.append("from .logging import setup")
    return "setup()"


def _moved_flask_names(b: _Builder) -> str:
    """`from flask import escape` (CF603): gone from Flask 3, in markupsafe now."""
    b.breaks_before = True
    b.feature("cf603")
    form = b.rng.choice(["escape", "both", "alias", "parenthesized"])
    if form == "escape":
        b.imports.append("from flask import escape")
        return "str(escape(mode))"
    if form == "alias":
        b.imports.append("from flask import escape as esc")
        return "str(esc(mode))"
    if form == "parenthesized":
        b.imports.append("from flask import (\n    Markup,  # moved\n    escape,\n)")
    else:
        b.imports.append("from flask import Markup, escape")
    return 'str(Markup("<b>") + escape(mode))'


def _entry(b: _Builder) -> tuple[str, str]:
    """The entry function's `def` line and the name main reads the request by."""
    form = b.rng.choice(["import", "import", "alias", "module", "param", "param-req", "param-comment", "annotated"])
    if form == "import":
        b.imports.append("from flask import request")
        return "def main():", "request"
    if form == "alias":
        b.imports.append("from flask import request as flask_request")
        return "def main():", "flask_request"
    if form == "module":
        b.imports.append("import flask")
        return "def main():", "flask.request"
    b.feature("cf103")
    if form == "param":
        if b.rng.random() < 0.3:
            b.imports.append("from flask import request")
        return "def main(request):", "request"
    if form == "param-req":
        if b.rng.random() < 0.5:
            b.feature("cf103-existing-import")
            b.imports.append("from flask import request")
        if b.rng.random() < 0.3:  # a local of the name the fix would rename to: no fix
            b.feature("cf103-shadowed")
            b.body.append("for request in ():\n    pass")
        return "def main(req):", "req"
    if form == "param-comment":
        b.feature("cf103-comment-in-parameters")
        return b.rng.choice(
            [
                "def main(  # the request\n    request,\n):",
                "def main(\n    request,  # the request\n):",
                "def main(request  # the request\n):",
            ]
        ), "request"
    # Written for another platform, which passes a CloudEvent (the harness passes one): its
    # .data is a dict there, bytes on Flask's request.
    b.feature("cf103-annotated")
    return 'def main(event: "CloudEvent"):', "event.data"


def _answers(b: _Builder, body: str) -> tuple[str, str]:
    """The return statement of the normal branch and of the 4xx branch."""
    form = b.rng.choice(
        ["dumps", "dumps", "dumps-literal", "dumps-status", "dumps-indent", "dict", "text", "mixed-keys"]
    )
    form = b.rng.choice([form, form, b.rng.choice(["headers", "status-headers", "separators", "from-json", "alias"])])
    b.feature(f"return-{form}")
    if form == "from-json":
        b.imports.append("from json import dumps")
    if form == "alias":
        b.imports.append("import json as j")
    ok = {
        "headers": f'answer = {body}\nreturn json.dumps(answer), {{"X-Fuzz": "1"}}',
        "status-headers": f'answer = {body}\nreturn json.dumps(answer), 201, {{"X-Fuzz": "1"}}',
        "separators": f'answer = {body}\nreturn json.dumps(answer, separators=(",", ":"))',
        "from-json": f"answer = {body}\nreturn dumps(answer)",
        "alias": f"answer = {body}\nreturn j.dumps(answer)",
        "dumps": f"answer = {body}\nreturn json.dumps(answer)",
        "dumps-literal": f"return json.dumps({body}, ensure_ascii=False)",
        "dumps-status": f"answer = {body}\nreturn json.dumps(answer), 200",
        "dumps-indent": f"answer = {body}\nreturn json.dumps(answer, indent=2, sort_keys=True)",
        "dict": f"return {body}",
        "text": f"return str(sorted({body}.items()))",
        "mixed-keys": f'counts = {{1: "one", "total": 1, "body": {body}}}\nreturn json.dumps(counts)',
    }[form]
    missing = b.rng.choice(
        [
            'return json.dumps({"error": "missing"}), 404',
            'return {"error": "missing"}, 404',
            'return "missing", 404',
            'return {"statusCode": 404, "body": "missing"}',  # a Lambda response (CF804)
        ]
    )
    if "statusCode" in missing:
        b.feature("missing-lambda")
    return ok, missing


def _boom(b: _Builder) -> str:
    """The 5xx branch: an exception raised, or caught and returned as the body (CF206, whose
    fix sends its message with the same 500)."""
    form = b.rng.choice(["raise", "raise", "caught-tuple", "caught-dict"])
    b.feature(f"boom-{form}")
    returned = {"raise": "", "caught-tuple": "return error, 500", "caught-dict": 'return {"error": error}, 500'}[form]
    if not returned:
        return 'if mode == "boom":\n    raise RuntimeError("boom")'
    return f'if mode == "boom":\n    try:\n        raise RuntimeError("boom")\n    except RuntimeError as error:\n        {returned}'


def _requirements(b: _Builder) -> bytes | None:
    form = b.rng.choice(["plain", "plain", "empty", "crlf", "cr", "no-final-newline", "comments", "lists-all"])
    odd = ["crlf-no-final-newline", "bom", "utf-16", "blank-lines", "comment-last"]
    form = b.rng.choice([form, form, form, form, b.rng.choice(odd), "hashes", "continuation", "absent"])
    b.feature(f"requirements-{form}")
    needs = sorted(b.needs)
    text = {
        "plain": "flask\n",
        "empty": "",
        "crlf": "flask\r\nmarkupsafe\r\n",
        "cr": "flask\rmarkupsafe\r",
        "no-final-newline": "flask",
        "comments": "# web\nflask  # the framework\n",
        "lists-all": "flask\n" + "".join(f"{n}\n" for n in needs),
        "hashes": f"flask==3.1.0 \\\n    --hash=sha256:{HEX}\n",
        "continuation": "flask \\\n",
        "crlf-no-final-newline": "flask\r\nmarkupsafe",
        "bom": "\ufeffflask\n",
        "utf-16": "flask\r\n",
        "blank-lines": "flask\n\n\n",
        "comment-last": "flask\n# the end",
        "absent": None,
    }[form]
    if text is None:
        return None
    if needs and form != "lists-all":
        b.feature("cf303")
    return text.encode("utf-16" if form == "utf-16" else "utf-8")


def _layout(b: _Builder, text: str) -> bytes:
    rng = b.rng
    indent = rng.choice(["spaces", "spaces", "tabs"])
    newline = rng.choice(["\n", "\n", "\r\n", "\r"])
    encoding = b.encoding
    b.feature(f"indent-{indent}")
    b.feature({"\n": "lf", "\r\n": "crlf", "\r": "cr"}[newline])
    b.feature(f"encoding-{encoding}")
    lines = text.split("\n")
    if indent == "tabs":
        lines = [
            "\t" * ((len(line) - len(line.lstrip(" "))) // 4) + line[(len(line) - len(line.lstrip(" "))) // 4 * 4 :]
            for line in lines
        ]
    if encoding in ("latin-1", "cp1252"):
        lines.insert(0, f"# -*- coding: {encoding} -*-")
    if encoding == "cp1252":
        lines.insert(1, "# prix: 5 \u20ac")
    if encoding == "utf-8-cookie":
        encoding = "utf-8"
        lines.insert(0, "# coding: utf-8")
    data = newline.join(lines)
    if rng.random() < 0.15:
        b.feature("no-final-newline")
        data = data.rstrip("\r\n")
    return data.encode(encoding)


def generate(seed: int) -> Case:
    rng = random.Random(seed)
    b = _Builder(rng)
    entry, request = _entry(b)
    extras: list[str] = []
    if rng.random() < 0.25:
        extras.append(_relative_import(b))
    if rng.random() < 0.2:
        extras.append(_moved_flask_names(b))
    calls = rng.sample(CALLS, rng.randint(1, 4))
    for make in calls:
        make(b)
    for _ in range(rng.randint(0, 2)):
        _noqa(b)
    if any("ping" in block for block in b.module) and rng.random() < 0.3:
        b.feature("decorated-main")
        entry = '@tag("main")\n' + entry
    mode = f'{request}.get("mode", "ok")' if request.endswith(".data") else f'{request}.args.get("mode", "ok")'
    keys = [f'"{key}": {key}' for key in b.body_keys] + [f'"extra{i}": {e}' for i, e in enumerate(extras)]
    body = "{" + ", ".join(['"mode": mode', '"greeting": "café"', *keys]) + "}"
    ok, missing = _answers(b, body)
    query, expected = rng.choice([("", "2xx"), ("?mode=missing", "4xx"), ("?mode=boom", "5xx"), ("?mode=ok", "2xx")])
    statements = [
        f"mode = {mode}",
        *b.body,
        f'if mode == "missing":\n    {missing}',
        _boom(b),
        ok,
    ]
    main = entry + "\n" + "\n".join("    " + line if line else "" for s in statements for line in s.split("\n"))
    imports = list(b.imports)
    if b.http is not None:
        imports += b.http.import_lines()
    if b.sub is not None:
        imports += b.sub.import_lines()
    imports += sorted(b.other_imports)
    if rng.random() < 0.2:
        b.feature("future-import")
        imports.insert(0, "from __future__ import annotations")
    if rng.random() < 0.3:
        imports.insert(0, '"""A generated function."""\n')
    blocks = ["\n".join(imports), *b.module, main]
    text = "\n\n\n".join(block for block in blocks if block) + "\n"
    files = {name: content.encode() for name, content in b.files.items()}
    files["user.py"] = _layout(b, text)
    requirements = _requirements(b)
    if requirements is not None:
        files["requirements.txt"] = requirements
    return Case(seed, frozenset(b.features), files, query, expected, b.breaks_before, b.breaks_after)


if __name__ == "__main__":
    # `python -m tests.fix_fuzz_cases SEED FOLDER` writes one case's function folder (to
    # reproduce a failure the fuzz test names by its seed) and prints its features and query.
    import sys
    from pathlib import Path

    case = generate(int(sys.argv[1]))
    folder = Path(sys.argv[2])
    folder.mkdir(parents=True, exist_ok=True)
    for file_name, content in case.files.items():
        (folder / file_name).write_bytes(content)
    print(" ".join(sorted(case.features)), f"query={case.query!r} expected={case.expected}")
