"""CF302, CF304 and CF306 through the CLI, at the lines of requirements.txt and its includes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.helpers import CliResult, write_files

Cflint = Callable[..., CliResult]


def test_cf302_normalised_names_at_their_lines(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {
            "user.py": "def main():\n    return 'ok'\n",
            "requirements.txt": "requests\nNumPy==1.26\n# scipy\nscikit_learn ; python_version >= '3.8'\n"
            "torch ; sys_platform == 'win32'\n-r ml/extra.txt\n-c constraints.txt\n",
            "ml/extra.txt": "Tensorflow-CPU\nnumpyro\n",
            "constraints.txt": "pandas<3\n",
        },
    )
    result = cflint("--select", "CF302", ".", cwd=tmp_path)
    assert result.lines == [
        "ml/extra.txt:1:1: CF302 tensorflow-cpu cannot be installed on the runtime (complex native initialisation)",
        "requirements.txt:2:1: CF302 numpy cannot be installed on the runtime (C extension modules)",
        "requirements.txt:4:1: CF302 scikit-learn cannot be installed on the runtime (C extension modules)",
    ]


def test_cf302_paths_from_the_parent_folder(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"fn/user.py": "def main():\n    return 'ok'\n", "fn/requirements.txt": "pandas\n"})
    result = cflint("--select", "CF302", "fn", cwd=tmp_path)
    assert [line.split(": ")[0] for line in result.lines] == ["fn/requirements.txt:1:1"]


def test_cf302_allow_packages(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {
            "user.py": "def main():\n    return 'ok'\n",
            "requirements.txt": "numpy\npandas\n",
            "pyproject.toml": '[tool.cflint]\nallow-packages = ["numpy"]\n',
        },
    )
    result = cflint("--select", "CF302", ".", cwd=tmp_path)
    assert [line.split(" ")[0] for line in result.lines] == ["requirements.txt:2:1:"]


def test_cf304_problems_and_loop(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {
            "user.py": "def main():\n    return 'ok'\n",
            "requirements.txt": "sklearn\n-e .\ngit+https://github.com/x/y.git#egg=y\nrequests==\n-r more.txt\n",
            "more.txt": "-r requirements.txt\n",
        },
    )
    result = cflint("--select", "CF304", ".", cwd=tmp_path)
    assert result.lines[:4] == [
        "more.txt:1:1: CF304 '-r requirements.txt': requirement files include each other: "
        "requirements.txt -> more.txt -> requirements.txt",
        "requirements.txt:1:1: CF304 'sklearn': sklearn fails to install from the package index; "
        "list scikit-learn instead",
        "requirements.txt:2:1: CF304 '-e .': editable install of a local path: the runtime installs "
        "from the package index",
        "requirements.txt:3:1: CF304 'git+https://github.com/x/y.git#egg=y': installs from a VCS URL, "
        "not from the package index",
    ]
    # The reason after the colon is packaging's own wording, which varies between its versions.
    assert result.lines[4].startswith("requirements.txt:4:1: CF304 'requests==': cannot parse requirement: ")
    assert len(result.lines) == 5
    assert result.code == 1


def test_cf306_is_off_by_default_and_a_warning(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {
            "user.py": "def main():\n    return 'ok'\n",
            "requirements.txt": "psycopg2-binary\nlxml\nrequests\n",
        },
    )
    assert "CF306" not in cflint(".", cwd=tmp_path).codes
    result = cflint("--extend-select", "CF306", "--select", "CF306", ".", cwd=tmp_path)
    assert result.codes == ["CF306", "CF306"]
    write_files(
        tmp_path, {"cflint.toml": 'allow-packages = ["lxml"]\nextend-unsupported-packages = ["psycopg2-binary"]\n'}
    )
    assert cflint("--select", "CF302,CF306", ".", cwd=tmp_path).codes == ["CF302"]


def test_cf304_whole_file_problems_name_the_file(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"user.py": "def main():\n    return 'ok'\n", "requirements.txt": b"flask\n\xff\n"})
    result = cflint("--select", "CF304", ".", cwd=tmp_path)
    assert result.lines == ["requirements.txt:2:1: CF304 requirements.txt: not UTF-8 text"]
