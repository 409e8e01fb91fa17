from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import CliResult, write_files
from tests.source_lint import marked_lines, messages, reported_lines

Cflint = Callable[..., CliResult]


@pytest.mark.parametrize(
    "source",
    [
        "f = open('data.csv')\nf.read()  # !\n",
        "with open('data.csv', 'rb') as f:\n    f.read(-1)  # !\n",
        "import io\nio.open('data.csv').readlines()  # !\n",
        "from io import open as io_open\nwith io_open('d') as f:\n    f.read(None)  # !\n",
        "from pathlib import Path\nPath('d').read_text()  # !\n",
        "import pathlib\npathlib.Path('d').read_bytes()  # !\n",
        "from pathlib import Path\n(Path(__file__).parent / 'd.json').open().read()  # !\n",
        "from pathlib import Path\np = Path('d').resolve()\nwith p.open() as f:\n    f.readlines()  # !\n",
        "import gzip\nwith gzip.open('d.gz') as f:\n    f.read()  # !\n",
        "import json\njson.load(open('d.json'))  # !\n",
        "import yaml\nwith open('c.yaml') as f:\n    yaml.safe_load(f)  # !\n",
        "import urllib.request as ur\nwith ur.urlopen('u', timeout=5) as r:\n    r.read()  # !\n",
        "from urllib.request import urlopen\nurlopen('u', timeout=5).read()  # !\n",
        "import boto3\ns3 = boto3.client('s3')\nobj = s3.get_object(Bucket='b', Key='k')\nobj['Body'].read()  # !\n",
        "import boto3\nboto3.resource('s3').Object('b', 'k').get()['Body'].read()  # !\n",
    ],
)
def test_unbounded_read_is_reported(source: str, tmp_path: Path, cflint: Cflint) -> None:
    assert reported_lines(cflint, tmp_path, "CF401", source) == marked_lines(source)


@pytest.mark.parametrize(
    "source",
    [
        "f = open('data.csv')\nf.read(65536)\n",
        "with open('data.csv') as f:\n    f.readlines(1024)\n",
        "with open('data.csv') as f:\n    for line in f:\n        pass\n",
        "import shutil\nwith open('a', 'rb') as src, open('b', 'wb') as dst:\n    shutil.copyfileobj(src, dst)\n",
        "from flask import request\nrequest.get_json()\nrequest.data\nrequest.form\nrequest.get_data()\n",
        "from flask import request\nrequest.stream.read(4096)\n",
        # the request body, bounded by the request the platform accepts, as request.get_data() is
        "from flask import request\nrequest.stream.read()\n",
        "import flask\nflask.request.stream.read()\n",
        "from flask import request as req\nreq.files['upload'].read()\n",
        "from flask import request\nupload = request.files.get('f')\nupload.read()\n",
        "from flask import request\nimport pickle\npickle.load(request.files['model'])\n",
        "from flask import request\nfor upload in request.files.getlist('f'):\n    upload.stream.read()\n",
        "import json\njson.loads('{}')\n",
        "import yaml\ndocument = 'a: 1'\nyaml.safe_load(document)\n",
        "import io\nio.BytesIO(b'x').read()\n",
        # receivers are never guessed from their names
        "def main(f):\n    return f.read()\n",
        "def main(request):\n    return request.stream.read()\n",
        "f = open('a')\nf = make_stream()\nf.read()\n",
        # a local variable named like a function is not that function
        "def main():\n    open = lambda name: None\n    open('x').read()\n",
        "def open(name):\n    return name\nopen('x').read()\n",
    ],
)
def test_bounded_or_unknown_read_is_not_reported(source: str, tmp_path: Path, cflint: Cflint) -> None:
    assert reported_lines(cflint, tmp_path, "CF401", source) == []


def test_message_names_the_source(tmp_path: Path, cflint: Cflint) -> None:
    source = "with open('/tmp/report.csv') as f:\n    f.read()\n"
    assert messages(cflint, tmp_path, "CF401", source) == [
        ".read() reads a file opened with open() whole into memory;"
        " read it in chunks (read(size), line by line, shutil.copyfileobj)"
    ]


SHIPPED_READS = [
    "from pathlib import Path\nTEMPLATE = (Path(__file__).parent / 'template.html').read_text()\n",
    "from pathlib import Path\nHERE = Path(__file__).resolve().parent\nwith open(HERE / 'config.json') as f:\n    f.read()\n",
    "with open('message.txt') as f:\n    f.read()\n",
    "import os\nwith open(os.path.join(os.path.dirname(__file__), 'config.json')) as f:\n    f.read()\n",
    "import json, os\nHERE = os.path.dirname(os.path.abspath(__file__))\njson.load(open(os.path.join(HERE, 'config.json')))\n",
    "from pathlib import Path\nPath('data/words.txt').read_text()\n",
    "from pathlib import Path\nwith Path('message.txt').open() as f:\n    f.read()\n",
    "with open('message.txt') as f:\n    f.read()\nwith open('config.json', 'rb') as f:\n    f.read()\n",
]
SHIPPED_FILES = {
    "template.html": "<p>hi</p>",
    "config.json": "{}",
    "message.txt": "hello",
    "data/words.txt": "a\nb\n",
}


@pytest.mark.parametrize("source", SHIPPED_READS)
def test_small_files_the_function_ships_may_be_read_whole(source: str, tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"requirements.txt": "", **SHIPPED_FILES, "user.py": source})
    result = cflint("--select", "CF401", ".")
    assert (result.code, result.out, result.err) == (0, "", "")


@pytest.mark.parametrize("source", SHIPPED_READS)
def test_files_over_the_limit_or_missing_are_still_reported(source: str, tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"requirements.txt": "", **SHIPPED_FILES, "user.py": source})
    result = cflint("--select", "CF401", "--config", str(_config(tmp_path, "read-whole-limit = 1")), ".")
    assert result.codes and set(result.codes) == {"CF401"}, result.out + result.err
    missing = tmp_path / "missing"
    write_files(missing, {"requirements.txt": "", "user.py": source})
    assert set(cflint("--select", "CF401", "missing").codes) == {"CF401"}


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path.parent / f"{tmp_path.name}-cflint.toml"
    path.write_text(text + "\n", encoding="utf-8")
    return path


def test_a_path_outside_the_function_root_is_reported(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path, {"secret.txt": "x", "fn/requirements.txt": "", "fn/user.py": "open('../secret.txt').read()\n"}
    )
    assert cflint("--select", "CF401", "fn").codes == ["CF401"]


@pytest.mark.parametrize(
    "source",
    [
        "with open(a) as f:\n    pass\nwith open(b, 'rb') as f:\n    f.read()  # !\n",
        "f = open(a)\nf = open(b)\nf.read()  # !\n",
    ],
)
def test_a_name_bound_to_several_opened_files_is_a_file(source: str, tmp_path: Path, cflint: Cflint) -> None:
    assert reported_lines(cflint, tmp_path, "CF401", source) == marked_lines(source)


def test_file_bound_in_enclosing_function_is_followed(tmp_path: Path, cflint: Cflint) -> None:
    source = """\
        def main():
            handle = open("data.bin", "rb")

            def rest():
                return handle.read()  # !
            return rest()
        """
    assert reported_lines(cflint, tmp_path, "CF401", source) == marked_lines(source)


@pytest.mark.parametrize(
    "source",
    [
        # A Kubernetes secret or config map the platform mounts: an absolute path outside /tmp.
        "open('/secrets/default/secret/webhook_url').read()\n",
        "def config(key):\n    with open(f'/configs/default/air-const/{key}') as f:\n        return f.read()\n",
        "from pathlib import Path\nSECRETS = Path('/var/run/secrets')\n(SECRETS / 'token').read_text()\n",
        # A path the deployment sets in the environment.
        "import json, os\njson.load(open(os.environ['FISSION_STATE_TOKEN_PATH']))\n",
        "import os\nfrom pathlib import Path\nPath(os.getenv('CREDENTIALS')).resolve().read_text()\n",
        "import os\npath = os.environ.get('CONFIG')\nwith open(path) as f:\n    f.read()\n",
    ],
)
def test_files_the_deployment_provides_may_be_read_whole(source: str, tmp_path: Path, cflint: Cflint) -> None:
    assert reported_lines(cflint, tmp_path, "CF401", source) == []


@pytest.mark.parametrize(
    "source",
    [
        # Where the function writes at run time, files have any size.
        "open('/tmp/download.bin').read()  # !\n",
        "def main(name):\n    with open(f'/tmp/{name}') as f:\n        return f.read()  # !\n",
        "from pathlib import Path\nPath('/var/tmp') .joinpath('x')\n(Path('/dev/shm') / 'x').read_bytes()  # !\n",
        # Evidence for one opening is not evidence for another.
        "import os\nf = open(os.environ['A'])\nf = open(name)\nf.read()  # !\n",
        "import os\nbase = os.environ['A']\nbase = '/tmp'\nopen(base).read()  # !\n",
    ],
)
def test_temporary_and_unknown_files_are_still_reported(source: str, tmp_path: Path, cflint: Cflint) -> None:
    assert reported_lines(cflint, tmp_path, "CF401", source) == marked_lines(source)


# Edge cases of cf401_unbounded_read.py and static_paths.py, each one a comparison or branch
# that no case above tells apart (a mutation of it would pass them all).


@pytest.mark.parametrize(
    "source",
    [
        # a size of -1 or None asks for everything; any other size does not
        "f = open('d')\nf.read(-1)  # !\n",
        "f = open('d')\nf.readlines(-1)  # !\n",
        "f = open('d')\nf.readlines(None)  # !\n",
        "f = open('d')\nf.read(-2)\n",
        "f = open('d')\nf.read(+1)\n",
        "f = open('d')\nf.read(1)\n",
        "f = open('d')\nf.read(~1)\n",
        "f = open('d')\nf.read(-n)\n",
        "f = open('d')\nf.read(-1.0)\n",
        "f = open('d')\nf.read(n)\n",
        "f = open('d')\nf.read(Nothing)\n",
        "f = open('d')\nf.read(*sizes)\n",
        "f = open('d')\nf.read(-1, 2)\n",
        "f = open('d')\nf.write(x)\n",
        # loaders: by their first argument, given positionally
        "import json\njson.load(fp=open('d'))\n",
        "import json\njson.load(*streams)\n",
        "import json\njson.load()\n",
        "import json\njson.loads(open('d').read(100))\n",
        "import pickle\nwith open('m', 'rb') as f:\n    pickle.load(f)  # !\n",
        "import tomllib\nwith open('c', 'rb') as f:\n    tomllib.load(f)  # !\n",
        "import marshal\nmarshal.load(open('c', 'rb'))  # !\n",
        "import yaml\nwith open('c') as f:\n    yaml.load(f)  # !\n    yaml.full_load(f)  # !\n    yaml.unsafe_load(f)  # !\n",
        # a loader called by its bare name, imported from its module
        "from json import load\nload(open('d'))  # !\n",
        "from yaml import safe_load as parse\nwith open('c') as f:\n    parse(f)  # !\n",
        "from pickle import load\nload(open('m', 'rb'))  # !\n",
        # a bare name is a reader too once a loader's module is named in the file
        "import json\nfrom pathlib import Path\nread = Path('d').read_text\nread()  # !\n",
        "from pathlib import Path\nread = Path('d').read_text\nread()\n",
        # several kinds of stream under one name: not one source
        "import urllib.request\nf = open('d')\nf = urllib.request.urlopen('u', timeout=5)\nf.read()\n",
        "import lzma, bz2\nwith lzma.open('a') as f:\n    f.read()  # !\nwith bz2.open('b') as g:\n    g.read()  # !\n",
    ],
)
def test_sizes_loaders_and_bare_names(source: str, tmp_path: Path, cflint: Cflint) -> None:
    assert reported_lines(cflint, tmp_path, "CF401", source) == marked_lines(source)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "from pathlib import Path\nPath('d').read_text()\n",
            "Path.read_text() reads a file whole into memory; open it and read it in chunks"
            " (read(size), line by line, shutil.copyfileobj)",
        ),
        (
            "from pathlib import Path\nPath('d').read_bytes()\n",
            "Path.read_bytes() reads a file whole into memory; open it and read it in chunks"
            " (read(size), line by line, shutil.copyfileobj)",
        ),
        (
            "import json\njson.load(open('d'))\n",
            "json.load() reads a file opened with open() whole into memory;"
            " check its size before parsing it, or parse it incrementally",
        ),
        (
            "from pathlib import Path\nPath('d').open().readlines()\n",
            ".readlines() reads a file opened with Path.open() whole into memory;"
            " read it in chunks (read(size), line by line, shutil.copyfileobj)",
        ),
        (
            "import urllib.request\nurllib.request.urlopen('u', timeout=5).read()\n",
            ".read() reads a urlopen() response whole into memory;"
            " read it in chunks (read(size), line by line, shutil.copyfileobj)",
        ),
    ],
)
def test_messages_of_each_reader(source: str, message: str, tmp_path: Path, cflint: Cflint) -> None:
    assert messages(cflint, tmp_path, "CF401", source) == [message]


@pytest.mark.parametrize(
    ("source", "reported"),
    [
        # opened by a call that names the file: the file's size is known
        ("import gzip\ngzip.open('message.txt').read()\n", False),
        ("import io\nwith io.open('message.txt') as f:\n    f.read()\n", False),
        ("import json\nfrom pathlib import Path\njson.load(Path('config.json').open())\n", False),
        ("f = open('message.txt')\nf = open('config.json')\nf.read()\n", False),
        # not opened where the code shows which file
        ("open(file='message.txt').read()\n", True),
        ("with open('message.txt') as f:\n    g = f\ng.read()\n", True),
        ("import urllib.request\nurllib.request.urlopen('message.txt', timeout=5).read()\n", True),
        ("f = open('message.txt')\nf = open(unknown)\nf.read()\n", True),
        ("f = open('message.txt')\nf = open('missing.txt')\nf.read()\n", True),
        ("from pathlib import Path\nPath(unknown).read_text()\n", True),
        # a folder is not a small file
        ("open('data').read()\n", True),
        ("from pathlib import Path\nPath('data').read_text()\n", True),
    ],
)
def test_shipped_files_by_how_they_are_opened(source: str, reported: bool, tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"requirements.txt": "", **SHIPPED_FILES, "user.py": source})
    assert cflint("--select", "CF401", ".").codes == (["CF401"] if reported else [])


@pytest.mark.parametrize(("size", "reported"), [(4, False), (5, False), (6, True)])
def test_read_whole_limit_is_the_largest_size_allowed(
    size: int, reported: bool, tmp_path: Path, cflint: Cflint
) -> None:
    write_files(tmp_path, {"requirements.txt": "", "data.txt": "x" * size, "user.py": "open('data.txt').read()\n"})
    config = _config(tmp_path, "read-whole-limit = 5")
    assert cflint("--select", "CF401", "--config", str(config), ".").codes == (["CF401"] if reported else [])


@pytest.mark.parametrize(
    ("files", "reported"),
    [
        # __file__ of a module in a subfolder is that module's path in the function root
        ({"pkg/words.txt": "a"}, False),
        ({"words.txt": "a"}, True),
    ],
)
def test_a_module_in_a_subfolder_reads_beside_itself(
    files: dict[str, str], reported: bool, tmp_path: Path, cflint: Cflint
) -> None:
    module = "from pathlib import Path\nWORDS = (Path(__file__).parent / 'words.txt').read_text()\n"
    write_files(
        tmp_path, {"requirements.txt": "", "user.py": "", "pkg/__init__.py": "", "pkg/words.py": module, **files}
    )
    assert cflint("--select", "CF401", ".").codes == (["CF401"] if reported else [])


@pytest.mark.parametrize(("target", "reported"), [("outside.txt", True), ("fn/inside.txt", False)])
def test_a_symlink_is_read_where_it_points(target: str, reported: bool, tmp_path: Path, cflint: Cflint) -> None:
    """A link in the function root to a file outside it is not a file the function ships."""
    files = {
        "outside.txt": "x",
        "fn/inside.txt": "x",
        "fn/requirements.txt": "",
        "fn/user.py": "open('link.txt').read()\n",
    }
    write_files(tmp_path, files)
    (tmp_path / "fn" / "link.txt").symlink_to(tmp_path / target)
    assert cflint("--select", "CF401", "fn").codes == (["CF401"] if reported else [])


@pytest.mark.parametrize(
    "source",
    [
        # names read in the function's own scope: a parameter `os` is not the module
        "import os\ndef main(os):\n    with open(os.getenv('CONFIG')) as f:\n        return f.read()  # !\n",
        "import os\ndef main(os):\n    return open(os.environ['CONFIG']).read()  # !\n",
        # a name bound twice in the function, each time to a file
        "f = 1\ndef main(a, b):\n    f = open(a)\n    f = open(b)\n    return f.read()  # !\n",
        # ... each opening read in the function, where `open` is gzip's
        (
            "def open(path):\n    return path\ndef main(a, b):\n    from gzip import open\n"
            "    f = open(a)\n    f = open(b)\n    return f.read()  # !\n"
        ),
        "def open(path):\n    return path\ndef main(a):\n    from gzip import open\n    return open(a).read()  # !\n",
        "def main(p):\n    from pathlib import Path\n    return Path(p).read_text()  # !\n",
        # a binding whose source is unknown: the name is not known to be a file
        "f = open('a')\nf = a if b else c\nf.read()\n",
    ],
)
def test_names_are_read_in_the_scope_of_the_call(source: str, tmp_path: Path, cflint: Cflint) -> None:
    assert reported_lines(cflint, tmp_path, "CF401", source) == marked_lines(source)


def test_a_shipped_file_opened_with_an_open_imported_in_the_function(tmp_path: Path, cflint: Cflint) -> None:
    source = (
        "def open(path):\n    return path\n\n\ndef main():\n    from gzip import open\n"
        "    f = open('message.txt')\n    return f.read()\n"
    )
    write_files(tmp_path, {"requirements.txt": "", **SHIPPED_FILES, "user.py": source})
    assert cflint("--select", "CF401", ".").codes == []


def test_a_file_in_no_function_root_reads_no_shipped_file(tmp_path: Path, cflint: Cflint) -> None:
    """A script named alone, in a folder that is no function root: the size of the files
    beside it says nothing of a deployment; a mounted secret is still configuration."""
    write_files(tmp_path, {"tools/message.txt": "hello", "tools/script.py": "open('message.txt').read()\n"})
    assert cflint("--select", "CF401", "tools/script.py").codes == ["CF401"]
    write_files(tmp_path, {"tools/secret.py": "open('/secrets/token').read()\n"})
    assert cflint("--select", "CF401", "tools/secret.py").codes == []


def test_a_file_outside_the_root_it_is_linted_with(tmp_path: Path) -> None:
    """A file given with a function root that does not hold it: no module path in the root,
    so nothing is known small (and nothing crashes)."""
    from cflint.engine.linter import FileLinter
    from cflint.engine.registry import load_registry
    from cflint.project import FileContext, FileJob, FunctionRoot
    from cflint.settings.config import Settings

    write_files(tmp_path, {"fn/message.txt": "hello", "fn/requirements.txt": "", "other/user.py": ""})
    settings = Settings(base_dir=tmp_path)
    root = FunctionRoot(tmp_path / "fn", "fn", settings)
    context = FileContext.of(tmp_path / "other" / "user.py", "other/user.py", settings, root)
    linter = FileLinter(load_registry())
    findings = linter.lint(FileJob(context, frozenset({"CF401", "CF003"}), b"open('message.txt').read()\n"))
    assert [(f.code, f.start.line) for f in findings] == [("CF401", 1)]


# Stored objects: a Cloud Storage blob downloaded whole, and a boto3 body whose client is a
# module global that an init function assigns.
GCS = "from google.cloud import storage\nclient = storage.Client()\n\n"
S3_GLOBAL = "import boto3\ns3 = None\n\ndef init():\n    global s3\n    s3 = boto3.client('s3')\n\n"


@pytest.mark.parametrize(
    "source",
    [
        GCS + "def main():\n    return client.bucket('b').blob('k').download_as_bytes()  # !\n",
        GCS + "def main():\n    blob = client.get_bucket('b').get_blob('k')\n    return blob.download_as_text()  # !\n",
        GCS + "def main():\n    bucket = client.bucket('b')\n    blob = bucket.blob('k')\n"
        "    return blob.download_as_string()  # !\n",
        GCS + "def main():\n    for blob in client.list_blobs('b'):\n        blob.download_as_bytes()  # !\n",
        "from google.cloud.storage import Client\n\ndef main():\n"
        "    return Client.from_service_account_json('k.json').bucket('b').blob('k').download_as_text()  # !\n",
        S3_GLOBAL + "def main():\n    init()\n    obj = s3.get_object(Bucket='b', Key='k')\n"
        "    return obj['Body'].read()  # !\n",
        # an annotated module global, and one set lazily in the entry itself
        "import boto3\nfrom typing import Any\ns3: Any = None\n\ndef main():\n    global s3\n    if s3 is None:\n"
        "        s3 = boto3.client('s3')\n    return s3.get_object(Bucket='b', Key='k')['Body'].read()  # !\n",
    ],
)
def test_stored_objects_read_whole(source: str, tmp_path: Path, cflint: Cflint) -> None:
    assert reported_lines(cflint, tmp_path, "CF401", source) == marked_lines(source)


@pytest.mark.parametrize(
    "source",
    [
        GCS + "def main():\n    return client.bucket('b').blob('k').download_as_bytes(start=0, end=1023)\n",
        GCS + "def main():\n    return client.bucket('b').blob('k').download_as_bytes(None, 0)\n",
        GCS + "def main():\n    return client.bucket('b').blob('k').download_as_text(**opts)\n",
        GCS + "def main():\n    with client.bucket('b').blob('k').open('rb') as f:\n        return f.read(1024)\n",
        # a blob of unknown origin is not guessed from its method's name
        "def main(blob):\n    return blob.download_as_bytes()\n",
        # the global is also bound to something else: its origin is unknown
        S3_GLOBAL + "def reset():\n    global s3\n    s3 = make_client()\n\n"
        "def main():\n    return s3.get_object(Bucket='b', Key='k')['Body'].read()\n",
        S3_GLOBAL + "def main():\n    return s3.get_object(Bucket='b', Key='k')['Body'].read(1024)\n",
    ],
)
def test_stored_objects_read_in_part_or_unknown(source: str, tmp_path: Path, cflint: Cflint) -> None:
    assert reported_lines(cflint, tmp_path, "CF401", source) == []


def test_stored_object_message(tmp_path: Path, cflint: Cflint) -> None:
    source = GCS + "def main():\n    return client.bucket('b').blob('k').download_as_text()\n"
    assert messages(cflint, tmp_path, "CF401", source) == [
        "download_as_text() reads a Cloud Storage object whole into memory; read it in chunks from "
        "blob.open('rb'), or download a byte range (start=, end=)"
    ]


# Through calls: a parameter of a helper stands for its default and every argument a call passes.
_READ_FILE = "def read_file(path='message.txt'):\n    return open(path).read()\n"
_ES_CLIENT = (
    "import json\nimport os\n\nCONFIG_FILE = os.path.join(os.path.dirname(__file__), 'config.json')\n\n\n"
    "def load(path=CONFIG_FILE):\n    with open(path) as stream:\n        return json.load(stream)\n"
)


@pytest.mark.parametrize(
    ("files", "reported"),
    [
        # The default names a small shipped file and no call passes another.
        (
            {
                "readfile.py": _READ_FILE,
                "user.py": "from readfile import read_file\n\ndef main():\n    return read_file()\n",
            },
            [],
        ),
        ({"es_client.py": _ES_CLIENT, "user.py": "import es_client\n\ndef main():\n    return es_client.load()\n"}, []),
        # A call passes a literal naming another small shipped file, by position or keyword.
        (
            {
                "readfile.py": _READ_FILE,
                "user.py": "from readfile import read_file\n\ndef main():\n    return read_file('a.txt') + read_file(path='message.txt')\n",
            },
            [],
        ),
        # A call passes a file that is not shipped, or a value that is not known.
        (
            {
                "readfile.py": _READ_FILE,
                "user.py": "from readfile import read_file\n\ndef main():\n    return read_file('/tmp/upload.bin')\n",
            },
            ["readfile.py:2"],
        ),
        (
            {
                "readfile.py": _READ_FILE,
                "user.py": "from flask import request\nfrom readfile import read_file\n\ndef main():\n    return read_file(request.args['p'])\n",
            },
            ["readfile.py:2"],
        ),
        # The helper is passed along, called with *args, or has no default and no caller: callers unknown.
        (
            {
                "readfile.py": _READ_FILE,
                "user.py": "from readfile import read_file\n\ndef main():\n    return ''.join(map(read_file, ['a.txt']))\n",
            },
            ["readfile.py:2"],
        ),
        (
            {
                "readfile.py": _READ_FILE,
                "user.py": "from readfile import read_file\n\ndef main():\n    return read_file(*['a.txt'])\n",
            },
            ["readfile.py:2"],
        ),
        (
            {
                "readfile.py": "def read_file(path):\n    return open(path).read()\n",
                "user.py": "def main():\n    return 'x'\n",
            },
            ["readfile.py:2"],
        ),
        # A decorated helper may be called by its decorator with anything.
        (
            {
                "readfile.py": "import functools\n\n@functools.lru_cache\ndef read_file(path='message.txt'):\n    return open(path).read()\n",
                "user.py": "from readfile import read_file\n\ndef main():\n    return read_file()\n",
            },
            ["readfile.py:5"],
        ),
    ],
)
def test_arguments_are_followed_into_helpers(
    files: dict[str, str], reported: list[str], tmp_path: Path, cflint: Cflint
) -> None:
    write_files(
        tmp_path,
        {
            "requirements.txt": "flask\n",
            "message.txt": "hello\n",
            "a.txt": "a\n",
            "config.json": '{"index": "posts"}\n',
            **files,
        },
    )
    result = cflint("--select", "CF401", "--color", "never", ".")
    assert [":".join(line.split(":")[:2]) for line in result.lines] == reported, result.out


def test_a_helpers_callers_are_unknown_past_the_bound_on_modules(tmp_path: Path, cflint: Cflint) -> None:
    from cflint.project import MAX_OWN_MODULES

    files = {f"extra_{index}.py": "" for index in range(MAX_OWN_MODULES)}
    files |= {
        "readfile.py": _READ_FILE,
        "user.py": "from readfile import read_file\n\ndef main():\n    return read_file()\n",
    }
    write_files(tmp_path, {"requirements.txt": "", "message.txt": "hello\n", **files})
    result = cflint("--select", "CF401", "--color", "never", ".")
    assert [":".join(line.split(":")[:2]) for line in result.lines] == ["readfile.py:2"], result.out
