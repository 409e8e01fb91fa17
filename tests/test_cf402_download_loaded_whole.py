from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cflint.engine.registry import load_registry
from cflint.model import Severity
from tests.helpers import CliResult
from tests.source_lint import marked_lines, messages, reported_lines

Cflint = Callable[..., CliResult]


@pytest.mark.parametrize(
    "source",
    [
        "import io, requests\nr = requests.get('u', timeout=5)\nio.BytesIO(r.content)  # !\n",
        "import requests\nr = requests.get('u', timeout=5)\nwith open('o', 'wb') as f:\n    f.write(r.content)  # !\n",
        "import requests as rq\nr = rq.post('u', timeout=5, stream=False)\ndata = r.content\nwith open('o', 'wb') as f:\n    f.write(data)  # !\n",
        "import requests\nwith requests.Session() as s:\n    r = s.get('u', timeout=5)\nwith open('o', 'w') as f:\n    for line in r.iter_lines():\n        f.write(line)  # !\n",
        "import requests\nfrom pathlib import Path\nPath('o').write_text(requests.get('u', timeout=5).text)  # !\n",
        "import requests, tempfile\nr = requests.get('u', timeout=5)\nwith tempfile.TemporaryFile() as t:\n    for c in r.iter_content(1024):\n        t.write(c)  # !\n",
        "import boto3, requests\ns3 = boto3.client('s3')\nr = requests.get('u', timeout=5)\ns3.put_object(Bucket='b', Key='k', Body=r.content)  # !\n",
        "from requests import get\nfrom io import BytesIO as B\nB(get('u', timeout=5).content)  # !\n",
    ],
)
def test_whole_download_written_or_buffered_is_reported(source: str, tmp_path: Path, cflint: Cflint) -> None:
    assert reported_lines(cflint, tmp_path, "CF402", source) == marked_lines(source)


@pytest.mark.parametrize(
    "source",
    [
        # streamed
        "import requests\nr = requests.get('u', timeout=5, stream=True)\nwith open('o', 'wb') as f:\n"
        "    for c in r.iter_content(65536):\n        f.write(c)\n",
        "import io, requests\nwith requests.get('u', timeout=5, stream=True) as r:\n    io.BytesIO(r.content)\n",
        # loaded but neither written nor buffered
        "import requests\nr = requests.get('u', timeout=5)\nprint(len(r.content))\nr.json()\n",
        # stream= not known
        "import io, requests\ndef main(s):\n    r = requests.get('u', timeout=5, stream=s)\n    io.BytesIO(r.content)\n",
        "import io, requests\nkw = {}\nr = requests.get('u', **kw)\nio.BytesIO(r.content)\n",
        # the writer or the response is not known from the code
        "import requests\ndef main(out):\n    r = requests.get('u', timeout=5)\n    out.write(r.content)\n",
        "import io\ndef main(r):\n    io.BytesIO(r.content)\n",
        "import io\nrequests = []\ndef main():\n    io.BytesIO(requests.get(0).content)\n",
    ],
)
def test_streamed_or_unknown_download_is_not_reported(source: str, tmp_path: Path, cflint: Cflint) -> None:
    assert reported_lines(cflint, tmp_path, "CF402", source) == []


def test_is_a_warning_naming_the_request(tmp_path: Path, cflint: Cflint) -> None:
    source = "import io, requests\nr = requests.Session().get('u', timeout=5)\nio.BytesIO(r.content)\n"
    assert messages(cflint, tmp_path, "CF402", source) == [
        "requests.Session.get() without stream=True downloads the whole body into memory before its .content"
        " is buffered; pass stream=True and copy it in chunks with iter_content(chunk_size)"
    ]
    assert load_registry().by_code("CF402").severity is Severity.WARNING
