"""Entry-point rules CF101-CF105 on the guide's examples and on broken variants."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import GUIDE_EXAMPLES, CliResult, guide_function, write_files

Cflint = Callable[..., CliResult]


@pytest.mark.parametrize("example", GUIDE_EXAMPLES)
def test_guide_examples_have_no_entry_point_findings(example: str, tmp_path: Path, cflint: Cflint) -> None:
    guide_function(tmp_path, example)
    result = cflint("--select", "CF1", ".")
    assert result.out == "" and result.code == 0, result.out + result.err


VARIANTS = [
    pytest.param({"user.py": "def handler():\n    return 'x'\n"}, ["user.py:1:1: CF102"], id="missing-main"),
    pytest.param({"user.py": "def mian():\n    return 'x'\n"}, ["user.py:1:1: CF102"], id="typo-main"),
    pytest.param({"user.py": "def main(request):\n    return 'x'\n"}, ["user.py:1:10: CF103"], id="main-request"),
    pytest.param(
        {"user.py": "def main(a, /, b, *args, c, d=1, **kw):\n    return 'x'\n"},
        ["user.py:1:10: CF103", "user.py:1:16: CF103", "user.py:1:26: CF103"],
        id="all-parameter-kinds",
    ),
    pytest.param({"user.py": "def main(name='x', *args, **kwargs):\n    return name\n"}, [], id="defaults-ok"),
    pytest.param({"user.py": "main = lambda: 'x'\n"}, ["user.py:1:1: CF104"], id="lambda"),
    pytest.param({"user.py": "class main:\n    pass\n"}, ["user.py:1:7: CF104"], id="class"),
    pytest.param({"user.py": "main = 'x'\n"}, ["user.py:1:1: CF104"], id="value"),
    pytest.param({"user.py": "from impl import main\n"}, [], id="imported-unknown"),
    pytest.param({"user.py": "def impl():\n    return 'x'\n\nmain = impl\n"}, [], id="alias-of-function"),
    pytest.param(
        {"user.py": "def handler(event, context):\n    return 'x'\n\nmain = handler\n"},
        ["user.py:1:13: CF103", "user.py:1:20: CF103"],
        id="alias-of-function-with-parameters",
    ),
    pytest.param(
        {"user.py": "def handler(event):\n    return 'x'\n\nmain2 = handler\nmain = main2\n"},
        ["user.py:1:13: CF103"],
        id="alias-of-an-alias",
    ),
    pytest.param({"user.py": "main = main\n"}, [], id="alias-of-itself"),
    pytest.param(
        {"user.py": "def main():\n    return 'x'\n\nif __name__ == '__main__':\n    main = lambda: 'debug'\n"},
        [],
        id="main-guard-never-runs",
    ),
    pytest.param(
        {"user.py": "import os\nif __name__ == '__main__':\n    pass\nelse:\n    def main():\n        return 'x'\n"},
        [],
        id="main-guard-else-always-runs",
    ),
    pytest.param(
        {"user.py": "if __name__ == '__main__':\n    def main():\n        return 'x'\n"},
        ["user.py:1:1: CF102"],
        id="defined-only-under-main-guard",
    ),
    pytest.param({"user.py": "main = None\n\ndef main():\n    return 'x'\n"}, [], id="placeholder-then-def"),
    pytest.param({"user.py": "def main():\n    return 'x'\n\nmain = 3\n"}, ["user.py:4:1: CF104"], id="rebound-later"),
    pytest.param(
        {"user.py": "def main():\n    return 'x'\n\ndef main():\n    return 'y'\n"},
        ["user.py:4:5: CF104"],
        id="defined-twice",
    ),
    pytest.param(
        {"user.py": "import os\nif os.environ.get('X'):\n    def main():\n        return 'x'\n"},
        ["user.py:3:9: CF104"],
        id="conditional",
    ),
    pytest.param(
        {
            "user.py": "import sys\nif sys.version_info >= (3, 12):\n    def main():\n        return 'a'\nelse:\n    def main():\n        return 'b'\n"
        },
        [],
        id="both-branches",
    ),
    pytest.param(
        {
            "user.py": "try:\n    import fast\n    def main():\n        return 'a'\nexcept ImportError:\n    def main():\n        return 'b'\n"
        },
        [],
        id="try-and-handler",
    ),
    pytest.param({"user.py": "async def main():\n    return 'x'\n"}, ["user.py:1:11: CF105"], id="async"),
    pytest.param({"requirements.txt": "requests\n", "helpers.py": "X = 1\n"}, [".:1:1: CF101"], id="missing-user-py"),
    # a requirements.txt alone is a layer of packages, not a function
    pytest.param({"requirements.txt": "requests\n"}, [], id="requirements-only-layer"),
    pytest.param(
        {"user.py": "class App:\n    def main(self):\n        return 'x'\n"},
        ["user.py:1:1: CF102"],
        id="method-not-function",
    ),
    pytest.param(
        {"helpers.py": "def main(request):\n    pass\n", "user.py": "def main():\n    return 'x'\n"},
        [],
        id="other-module-not-entry",
    ),
]


@pytest.mark.parametrize(("files", "expected"), VARIANTS)
def test_variants(files: dict[str, str], expected: list[str], tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, files)
    result = cflint("--select", "CF1", ".")
    assert [line.split(" ", 2)[0] + " " + line.split(" ", 2)[1] for line in result.lines] == expected
    assert result.code == (1 if expected else 0)


def test_handlers_entry_points_from_config(tmp_path: Path, cflint: Cflint) -> None:
    guide_function(tmp_path, "handlers")
    assert cflint(".").codes == []
    (tmp_path / "pyproject.toml").write_text(
        '[tool.cflint]\nentry-points = ["handlers.get_user", "handlers.create_user", "handlers.delete_user"]\n'
    )
    result = cflint(".")
    assert result.lines == [
        "handlers.py:1:1: CF102 entry function 'delete_user' is not defined at the top level of this module "
        "(did you mean 'get_user'?)"
    ]
    (tmp_path / "pyproject.toml").write_text('[tool.cflint]\nentry-points = ["handlers.get_user", "user.main"]\n')
    assert cflint(".").lines == [
        ".:1:1: CF101 entry module user.py for entry point user.main not found in this function root"
    ]


def test_entry_points_flag_overrides_config(tmp_path: Path, cflint: Cflint) -> None:
    guide_function(tmp_path, "handlers")
    result = cflint("--entry-points", "handlers.nothing_here", ".")
    assert result.codes == ["CF102"]


def test_several_function_folders(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {
            "functions/good/user.py": "def main():\n    return 'x'\n",
            "functions/good/requirements.txt": "",
            "functions/bad/user.py": "def main(event, context):\n    return 'x'\n",
            "functions/bad/requirements.txt": "",
            "functions/bad/lib/util.py": "def main(x):\n    return x\n",
            "functions/empty/requirements.txt": "",
            "functions/empty/tools.py": "X = 1\n",
            "functions/layer/requirements.txt": "requests\n",  # a layer of packages, not a function
        },
    )
    result = cflint("functions")
    assert [line.split(": ")[0] + ": " + line.split(": ")[1][:5] for line in result.lines] == [
        "functions/bad/user.py:1:10: CF103",
        "functions/bad/user.py:1:17: CF103",
        "functions/empty:1:1: CF101",
    ]
