"""Serve generated functions under Flask's test client, offline (run as a script by
`tests/test_fix_fuzz.py`, one process per batch of folders).

    python fix_fuzz_harness.py SPEC.json

SPEC lists `{"id", "dir", "query"}` entries and a `stubs` folder. The script writes stub
modules for `requests`, `redis` and `google.cloud.storage` there and puts it first on
`sys.path`; it replaces what would open a connection in `urllib.request`, `smtplib`,
`ftplib` and `socket` by stand-ins that bind their arguments to the real signature (so a
misplaced timeout is still a TypeError); `http.client` connections, which connect only on a
request, and `subprocess` running `true` stay real. Then, per folder, as the runtime does:
the folder goes first on `sys.path`, `user` is imported, and `main` is called in a request,
given for each parameter it requires what the parameter was meant to be: Flask's request,
or a CloudEvent when it is annotated so.
It also reads the folder's requirements.txt with pip's parser. Prints one JSON object per
folder: how the import went, the status, Content-Type and body, the error raised, and pip's
verdict on requirements.txt.
"""

from __future__ import annotations

import base64
import importlib
import inspect
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

STUBS = {
    "requests/__init__.py": """
class Response:
    status_code = 200
    ok = True
    text = "stub"
    content = b"stub"

    def json(self):
        return {"stub": True}


def _checked(timeout):
    if not (timeout is None or isinstance(timeout, (int, float, tuple))):
        raise ValueError(f"invalid timeout {timeout!r}")
    return Response()


def request(method, url, **kwargs):
    return _checked(kwargs.get("timeout"))


def get(url, params=None, **kwargs):
    return request("get", url, params=params, **kwargs)


def options(url, **kwargs):
    return request("options", url, **kwargs)


def head(url, **kwargs):
    return request("head", url, **kwargs)


def post(url, data=None, json=None, **kwargs):
    return request("post", url, data=data, json=json, **kwargs)


def put(url, data=None, **kwargs):
    return request("put", url, data=data, **kwargs)


def patch(url, data=None, **kwargs):
    return request("patch", url, data=data, **kwargs)


def delete(url, **kwargs):
    return request("delete", url, **kwargs)


class Session:
    def __enter__(self):
        return self

    def __exit__(self, *args):
        return None

    def request(self, method, url, params=None, data=None, headers=None, cookies=None, files=None, auth=None,
                timeout=None, allow_redirects=True, proxies=None, hooks=None, stream=None, verify=None, cert=None,
                json=None):
        return _checked(timeout)

    def get(self, url, **kwargs):
        return self.request("GET", url, **kwargs)

    def options(self, url, **kwargs):
        return self.request("OPTIONS", url, **kwargs)

    def head(self, url, **kwargs):
        return self.request("HEAD", url, **kwargs)

    def post(self, url, data=None, json=None, **kwargs):
        return self.request("POST", url, data=data, json=json, **kwargs)

    def put(self, url, data=None, **kwargs):
        return self.request("PUT", url, data=data, **kwargs)

    def patch(self, url, data=None, **kwargs):
        return self.request("PATCH", url, data=data, **kwargs)

    def delete(self, url, **kwargs):
        return self.request("DELETE", url, **kwargs)
""",
    "redis/__init__.py": """
from redis.client import Redis, StrictRedis


def from_url(url, **kwargs):
    return Redis.from_url(url, **kwargs)
""",
    "redis/client.py": """
class Redis:
    # redis-py's leading parameters, in its order
    def __init__(self, host="localhost", port=6379, db=0, password=None, socket_timeout=None,
                 socket_connect_timeout=None, socket_keepalive=None, socket_keepalive_options=None,
                 connection_pool=None, unix_socket_path=None, encoding="utf-8", encoding_errors="strict",
                 decode_responses=False, retry_on_timeout=False):
        self.socket_timeout = socket_timeout

    @classmethod
    def from_url(cls, url, **kwargs):
        return cls(**kwargs)

    def get(self, name):
        return None


StrictRedis = Redis
""",
    "google/cloud/storage/__init__.py": """
class Client:
    pass
""",
}


class _FakeResponse:
    status = 200

    def read(self, *args: Any) -> bytes:
        return b"stub"

    def close(self) -> None:
        return None


class _FakeSocket:
    def close(self) -> None:
        return None


def _like(real: Any, result: Any) -> Any:
    """A stand-in for `real` that takes the arguments it takes and returns `result`."""
    signature = inspect.signature(real)

    def stand_in(*args: Any, **kwargs: Any) -> Any:
        signature.bind(*args, **kwargs)
        return result

    return stand_in


def _offline() -> None:
    import ftplib
    import smtplib
    import socket
    import urllib.request

    def smtp_connect(self: Any, host: str = "localhost", port: int = 0, source_address: Any = None) -> Any:
        return 220, b"stub"

    smtplib.SMTP.connect = smtp_connect  # type: ignore[method-assign]
    smtplib.LMTP.connect = smtp_connect  # type: ignore[method-assign]

    def ftp_connect(self: Any, host: str = "", port: int = 0, timeout: Any = -999, source_address: Any = None) -> str:
        return "220 stub"

    def ftp_login(self: Any, *args: Any, **kwargs: Any) -> str:
        return "230 stub"

    ftplib.FTP.connect = ftp_connect  # type: ignore[method-assign]
    ftplib.FTP.login = ftp_login  # type: ignore[method-assign]
    ftplib.FTP_TLS.login = ftp_login  # type: ignore[method-assign]
    urllib.request.urlopen = _like(urllib.request.urlopen, _FakeResponse())

    class Opener:
        def open(self, fullurl: str, data: Any = None, timeout: Any = socket._GLOBAL_DEFAULT_TIMEOUT) -> Any:  # type: ignore[attr-defined]
            return _FakeResponse()

    urllib.request.build_opener = lambda *handlers: Opener()
    socket.create_connection = _like(socket.create_connection, _FakeSocket())


def _requirements(folder: Path) -> str | None:
    """pip's complaint about the folder's requirements.txt, or None when pip reads it; with
    hashes on some lines, pip's hash-checking mode requires them on every line."""
    path = folder / "requirements.txt"
    if not path.exists():
        return None
    from pip._internal.network.session import PipSession
    from pip._internal.req.constructors import install_req_from_parsed_requirement
    from pip._internal.req.req_file import parse_requirements

    try:
        parsed = list(parse_requirements(str(path), session=PipSession()))
        hashed = [bool((p.options or {}).get("hashes")) for p in parsed]
        for requirement in parsed:
            install_req_from_parsed_requirement(requirement)
    except (Exception, SystemExit) as error:
        return f"{type(error).__name__}: {error}"
    if any(hashed) and not all(hashed):
        return "hashes on some requirements but not on all: pip's hash-checking mode refuses the file"
    return None


class CloudEvent:
    """What another platform passes a function annotated so: the event, its data a dict."""

    def __init__(self, data: dict[str, str]) -> None:
        self.data = data


def _argument(parameter: inspect.Parameter, request: Any) -> Any:
    """What a parameter of main was meant to get: a CloudEvent when so annotated, else the request."""
    if (
        str(parameter.annotation).strip("'\"") == "CloudEvent"
    ):  # quoted again under `from __future__ import annotations`
        return CloudEvent(dict(request.args))
    return request


def _timeout(signum: int, frame: Any) -> None:
    raise TimeoutError("the case ran for more than 10 s")


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    stubs = Path(spec["stubs"])
    for name, text in STUBS.items():
        (stubs / name).parent.mkdir(parents=True, exist_ok=True)
        (stubs / name).write_text(text, encoding="utf-8")
    sys.path.insert(0, str(stubs))
    _offline()
    import logging

    import flask

    app = flask.Flask("fuzz")
    app.logger.disabled = True
    logging.getLogger("werkzeug").disabled = True
    errors: list[str] = []
    flask.got_request_exception.connect(
        lambda sender, exception, **extra: errors.append(repr(exception)), app, weak=False
    )
    current: dict[str, Any] = {}

    def dispatch() -> Any:
        entry = current["main"]
        required = [
            p
            for p in inspect.signature(entry).parameters.values()
            if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        return entry(*[_argument(p, flask.request) for p in required])

    app.add_url_rule("/", "dispatch", dispatch)
    client = app.test_client()
    signal.signal(signal.SIGALRM, _timeout)
    baseline = set(sys.modules)
    for case in spec["cases"]:
        folder = Path(case["dir"])
        result: dict[str, Any] = {"id": case["id"], "requirements": _requirements(folder)}
        errors.clear()
        sys.path.insert(0, str(folder))
        signal.alarm(10)
        try:
            module = importlib.import_module("user")
            result["import"] = "ok"
            current["main"] = module.main
            response = client.get("/" + case["query"])
            result["status"] = response.status_code
            result["content_type"] = response.content_type
            result["body"] = base64.b64encode(response.get_data()).decode()
            result["error"] = errors[0] if errors else None
        except BaseException as error:
            result.setdefault("import", f"{type(error).__name__}: {error}")
        finally:
            signal.alarm(0)
            sys.path.remove(str(folder))
            for name in set(sys.modules) - baseline:
                file = getattr(sys.modules[name], "__file__", None) or ""
                if name == "user" or file.startswith(str(folder) + os.sep):
                    del sys.modules[name]
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
