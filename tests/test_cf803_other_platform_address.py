"""CF803: URLs and hosts that only another platform's network has."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import CliResult, write_files

Cflint = Callable[..., CliResult]


def _lint(tmp_path: Path, cflint: Cflint, source: str, *options: str) -> CliResult:
    write_files(tmp_path, {"requirements.txt": "requests\nredis\n", "user.py": source})
    result = cflint("--select", "CF803", "--color", "never", *options, ".")
    assert result.code in (0, 1) and result.err == "", result.err
    return result


@pytest.mark.parametrize(
    ("call", "host", "severity"),
    [
        ('requests.get("http://router.fission/hello", timeout=3)', "router.fission", "error"),
        ('requests.post(f"http://router.fission.svc/{name}", timeout=3)', "router.fission.svc", "error"),
        ('requests.get("http://api.default.svc:8080/v1", timeout=3)', "api.default.svc", "error"),
        ('requests.get(url="http://db.prod.svc.cluster.local/q", timeout=3)', "db.prod.svc.cluster.local", "error"),
        ('redis.Redis(host="cache.prod.svc.cluster.local", port=6379)', "cache.prod.svc.cluster.local", "error"),
        ('requests.get("http://metadata.google.internal/computeMetadata/v1/", timeout=3)', "metadata.google", "error"),
        ('requests.get("http://metadata/computeMetadata/v1/project/project-id", timeout=3)', "'metadata'", "error"),
        ('requests.get("http://169.254.169.254/latest/meta-data/", timeout=3)', "169.254.169.254", "warning"),
        ('requests.get("http://router.fission/{}".format(name), timeout=3)', "router.fission", "error"),
        ('requests.get("http://router.fission/" + name, timeout=3)', "router.fission", "error"),
    ],
)
def test_reported_in_a_call(tmp_path: Path, cflint: Cflint, call: str, host: str, severity: str) -> None:
    source = f"import redis\nimport requests\n\ndef main(name='x'):\n    return str({call})\n"
    result = _lint(tmp_path, cflint, source, "--output-format", "json")
    findings = json.loads(result.out)
    assert [(f["code"], f["severity"], f["start"]["line"]) for f in findings] == [("CF803", severity, 5)]
    assert host in findings[0]["message"]
    literal = source.splitlines()[4][findings[0]["start"]["column"] - 1 :]
    assert literal.startswith(('"', 'f"'))


@pytest.mark.parametrize(
    ("constant", "line"),
    [
        ('ROUTER = "http://router.fission/hello"', 1),
        ('REDIS_HOST = "redis.default.svc.cluster.local"', 1),
        ('METADATA: str = "http://metadata.google.internal/computeMetadata/v1/"', 1),
        ('URL = "http://169.254.169.254/latest/api/token"', 1),
    ],
)
def test_reported_in_a_module_constant(tmp_path: Path, cflint: Cflint, constant: str, line: int) -> None:
    result = _lint(tmp_path, cflint, f"{constant}\n\ndef main():\n    return 'x'\n")
    assert result.codes == ["CF803"] and result.lines[0].startswith(f"user.py:{line}:")


def test_reported_through_a_local_name(tmp_path: Path, cflint: Cflint) -> None:
    source = 'import requests\ndef main():\n    url = "http://api.default.svc/x"\n    return requests.get(url, timeout=3).text\n'
    result = _lint(tmp_path, cflint, source)
    assert result.lines == [
        "user.py:3:11: CF803 the host 'api.default.svc' is a Kubernetes service address, which does not resolve "
        "from this runtime; call the service at a public address, set as an environment variable in the console"
    ]


@pytest.mark.parametrize(
    "source",
    [
        # prose: a docstring, a log message, a comment
        '"""Calls http://router.fission/hello; see metadata.google.internal."""\ndef main():\n    return "x"\n',
        'import logging\ndef main():\n    logging.info("calling http://router.fission/hello now")\n    return "x"\n',
        'def main():\n    return "x"  # was http://router.fission/hello\n',
        # a host that is not the other platform's, or that the literal does not hold whole
        'import requests\ndef main():\n    return requests.get("https://example.com/metadata", timeout=3).text\n',
        'import requests\ndef main():\n    return requests.get("http://metadata.example.com/computeMetadata/", timeout=3).text\n',
        'import requests\ndef main(n="x"):\n    return requests.get(f"http://{n}.svc.cluster.local/", timeout=3).text\n',
        'import requests\ndef main():\n    return requests.get("http://router.fission" + ".example.com/", timeout=3).text\n',
        'import requests\ndef main():\n    return requests.get("http://service/x", timeout=3).text\n',
        # a bare word is a host only where a host goes
        'def main():\n    return {"router": "router.fission"}\n',
        'NAME = "api.default.svc"\ndef main():\n    return NAME\n',
        'def main():\n    host = "api.default.svc"\n    return host\n',
    ],
)
def test_not_reported(tmp_path: Path, cflint: Cflint, source: str) -> None:
    assert _lint(tmp_path, cflint, source).lines == []


@pytest.mark.parametrize(
    ("call", "host"),
    [
        ('KafkaProducer(bootstrap_servers="my-cluster-kafka-bootstrap.kafka.svc:9092")', "kafka.svc"),
        ('KafkaProducer(bootstrap_servers=["broker-0.kafka.svc:9092"])', "broker-0.kafka.svc"),
        ('OTLPSpanExporter(endpoint="otel-collector.monitoring.svc:4317", insecure=True)', "monitoring.svc"),
        ('connect("db.prod.svc.cluster.local:5432")', "db.prod.svc.cluster.local"),
    ],
)
def test_host_and_port_of_a_service_is_reported(tmp_path: Path, cflint: Cflint, call: str, host: str) -> None:
    source = (
        "from kafka import KafkaProducer\n"
        "from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter\n"
        "from somewhere import connect\n\n"
        f"CLIENT = {call}\n\n"
        "def main():\n    return 'x'\n"
    )
    result = _lint(tmp_path, cflint, source, "--output-format", "json")
    findings = json.loads(result.out)
    assert [(f["code"], f["severity"], f["start"]["line"]) for f in findings] == [("CF803", "error", 5)]
    assert host in findings[0]["message"] and "Kubernetes service address" in findings[0]["message"]


@pytest.mark.parametrize(
    "source",
    [
        'import requests\ndef main():\n    return requests.get("http://localhost:8080/api", timeout=3).text\n',
        'import requests\nAPI = "http://127.0.0.1:5000/v1"\ndef main():\n    return requests.post(API, timeout=3).text\n',
        'import redis\nCACHE = redis.Redis(host="localhost", port=6379)\ndef main():\n    return "x"\n',
        'from kafka import KafkaProducer\nP = KafkaProducer(bootstrap_servers="localhost:9092")\ndef main():\n'
        '    return "x"\n',
        'import pymongo\nDB = pymongo.MongoClient("mongodb://localhost:27017/")\ndef main():\n    return "x"\n',
    ],
)
def test_local_service_is_a_warning(tmp_path: Path, cflint: Cflint, source: str) -> None:
    findings = json.loads(_lint(tmp_path, cflint, source, "--output-format", "json").out)
    assert [(f["code"], f["severity"]) for f in findings] == [("CF803", "warning")]
    assert "the function's own machine, where no service runs unless the function starts it" in findings[0]["message"]


@pytest.mark.parametrize(
    "source",
    [
        # a bind address, an allowed origin, a redirect URI: not a service the function calls
        'from flask import Flask\napp = Flask(__name__)\ndef main():\n    return "x"\n\n'
        'if __name__ == "__main__":\n    app.run(host="127.0.0.1", port=8080)\n',
        'from flask_cors import CORS\nfrom flask import Flask\nCORS(Flask(__name__), origins="http://localhost:3000")\n'
        'def main():\n    return "x"\n',
        'REDIRECT_URI = "http://localhost:8080/callback"\ndef main():\n    return REDIRECT_URI\n',
        'REDIS_HOST = "localhost"\ndef main():\n    return REDIS_HOST\n',
        # a development default of the environment
        'import os\nimport redis\nR = redis.from_url(os.getenv("REDIS_URL", "redis://localhost:6379"))\n'
        'def main():\n    return "x"\n',
        # the function starts the service itself
        'import subprocess\nimport requests\nsubprocess.Popen(["chromedriver", "--port=9515"])\n'
        'def main():\n    return requests.get("http://localhost:9515/status", timeout=3).text\n',
    ],
)
def test_local_address_not_reported(tmp_path: Path, cflint: Cflint, source: str) -> None:
    assert _lint(tmp_path, cflint, source).lines == []
