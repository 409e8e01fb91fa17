"""CF002 fires exactly when the running Python's import system refuses the file's bytes:
undecodable bytes in a comment are fine (CPython's tokenizer does not decode comments),
anywhere else they are not."""

from __future__ import annotations

import importlib.util
import tokenize
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cflint.engine.source import decode_source
from tests.helpers import CliResult

Cflint = Callable[..., CliResult]

KOREAN_COMMENT = "# 사용자 요청을 처리한다\n".encode("cp949")
CASES = {
    "cp949-comment-line-1": KOREAN_COMMENT + b'def main():\n    return "ok"\n',
    "cp949-comment-after-code": b'def main():\n    return "ok"  ' + KOREAN_COMMENT,
    "latin1-comment-line-3": b'import os\n\n# caf\xe9\ndef main():\n    return "ok"\n',
    "bad-byte-in-string": b'def main():\n    return "caf\xe9"\n',
    "bad-byte-in-docstring": b'"""caf\xe9"""\ndef main():\n    return "ok"\n',
    "hash-inside-string": b'def main():\n    return "# caf\xe9"\n',
    "bad-byte-before-comment": b'x = 1 \xe9 # comment\ndef main():\n    return "ok"\n',
    "utf8-cookie-and-comment": b'# -*- coding: utf-8 -*-\n# caf\xe9\ndef main():\n    return "ok"\n',
    "ascii-cookie-and-comment": b'# -*- coding: ascii -*-\n# caf\xe9\ndef main():\n    return "ok"\n',
    "valid-utf8": '# 주석\ndef main():\n    return "안녕"\n'.encode(),
}


def _imports(path: Path) -> bool:
    """Whether importlib compiles the file (the step of an import that decodes it)."""
    spec = importlib.util.spec_from_file_location("user", path)
    assert spec is not None and spec.loader is not None
    try:
        spec.loader.get_code("user")  # type: ignore[attr-defined]
    except SyntaxError:
        return False
    return True


@pytest.mark.parametrize("case", sorted(CASES))
def test_cf002_agrees_with_importlib(case: str, tmp_path: Path, cflint: Cflint) -> None:
    path = tmp_path / "user.py"
    path.write_bytes(CASES[case])
    result = cflint("--select", "CF0", "user.py", cwd=tmp_path)
    reported = any(": CF002 " in line for line in result.lines)
    assert reported == (not _imports(path)), result.out
    assert not any(": CF001 " in line for line in result.lines), result.out


def test_a_cp949_comment_file_lints_and_is_checked(tmp_path: Path, cflint: Cflint) -> None:
    (tmp_path / "user.py").write_bytes(KOREAN_COMMENT + b"import requests\ndef main():\n    return requests\n")
    result = cflint("--select", "CF002,CF303", "user.py", cwd=tmp_path)
    # not CF002: the file is linted, and its rules still see the import on line 2
    assert result.lines == ["user.py:2:8: CF303 requests is imported, but the function folder has no requirements.txt"]


def _tokenizer_encoding_its_input(
    generate_tokens: Callable[[Callable[[], str]], Iterator[tokenize.TokenInfo]],
) -> Callable[[Callable[[], str]], Iterator[tokenize.TokenInfo]]:
    """tokenize.generate_tokens as Python 3.12 and newer run it: their C tokenizer encodes each
    line as UTF-8 first, so a line holding a lone surrogate raises UnicodeEncodeError."""

    def strict(readline: Callable[[], str]) -> Iterator[tokenize.TokenInfo]:
        def encoded_first() -> str:
            line = readline()
            line.encode("utf-8")
            return line

        return generate_tokens(encoded_first)

    return strict


@pytest.mark.parametrize("case", sorted(CASES))
def test_decoding_agrees_with_importlib_under_a_tokenizer_that_encodes(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "user.py"
    path.write_bytes(CASES[case])
    monkeypatch.setattr(tokenize, "generate_tokens", _tokenizer_encoding_its_input(tokenize.generate_tokens))
    try:
        decode_source(CASES[case])
    except ValueError as exc:
        reason, offset = exc.args  # the shape the linter reads
        assert isinstance(reason, str) and isinstance(offset, int)
        decoded = False
    else:
        decoded = True
    assert decoded == _imports(path)
