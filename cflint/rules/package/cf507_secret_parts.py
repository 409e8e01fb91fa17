"""CF507's parts that read no Python: the requirement files (a root part) and the config
files a package ships (a package part). They run on every run, cached or not, so this module
imports no LibCST; the rule's metadata is here, and its file rule takes it from here."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePath

from cflint.knowledge.secret_values import (
    AWS_KEY_ID,
    is_secret_name,
    looks_like_key,
    structural_secret,
    url_with_password,
)
from cflint.model import Finding, Position
from cflint.package.contents import Package, PackageEntry
from cflint.project import FunctionRoot
from cflint.rule import PackageRule, RootRule
from cflint.rules.imports.dependencies import finding_at
from cflint.rules.package.cf505_package_secret import SNIFFED_HEAD_BYTES, SNIFFED_SIZE_LIMIT, distribution_files

CODE = "CF507"
NAME = "hardcoded-secret"
SUMMARY = "A secret is written into the code: an API key, token, password or private key"
MESSAGE = "{what} holds {kind}, written into a file that ships in the ZIP: {instead}"
LITERAL_KEY = "a literal key (long and random)"
URL_PASSWORD = "a password (user:password@)"
PASSWORD = "a password"
READ_THE_ENVIRONMENT = "set it in the function's environment variables and read it from os.environ"
_EXPAND_IN_PIP = (
    "install the private packages into the folder (pip install -t .) before zipping, or write the "
    "credentials as ${VARIABLES}, which pip expands from the environment it runs in"
)
# pip's last name of `-i` is an old alias; the message says the name people write.
_OPTION_SHOWN = {"--pypi-url": "--index-url"}
# Config files read for a `name = value` or `name: value` line; `.env` files are CF505's.
_CONFIG_SUFFIXES = (".json", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".conf")
# Compiled on first use (by `re`'s cache): only a package with a config file needs it.
_CONFIG_ENTRY = r"""^\s*["']?([A-Za-z][\w.-]*)["']?\s*[:=]\s*["']?([^"'\s,;#]+)["']?\s*,?\s*$"""
_TEST_FOLDERS = frozenset({"test", "tests", "testing", "fixtures"})


def is_test_path(relative: PurePath) -> bool:
    name = relative.name
    return (
        name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
        or any(part in _TEST_FOLDERS for part in relative.parts[:-1])
    )


class HardcodedSecretInRequirements(RootRule):
    """CF507 on the requirement files: an index URL or a requirement's URL with a password
    (`--extra-index-url https://user:token@host/simple`), which pip reads and the ZIP ships."""

    part_of = CODE
    code = CODE
    name = NAME
    summary = SUMMARY
    message = MESSAGE

    def check(self, root: FunctionRoot) -> Iterator[Finding]:
        requirements = root.requirements
        places = [(option.path, option.line, option.option, option.value) for option in requirements.options]
        places.extend((line.path, line.line, "", line.text) for line in requirements.lines)
        places.extend((problem.path, problem.line, "", problem.text) for problem in requirements.problems)
        reported: set[tuple[PurePath, int]] = set()
        for path, line, option, text in places:
            host = url_with_password(text)
            if host is None or (path, line) in reported:
                continue
            reported.add((path, line))
            shown = _OPTION_SHOWN.get(option, option)
            what = f"the {shown} URL for {host}" if option else f"the URL for {host}"
            yield finding_at(self, root, path, line, what=what, kind=URL_PASSWORD, instead=_EXPAND_IN_PIP)


def _is_config_file(entry: PackageEntry) -> bool:
    return entry.name.endswith(_CONFIG_SUFFIXES) and entry.size <= SNIFFED_SIZE_LIMIT


class HardcodedSecretInConfig(PackageRule):
    """CF507 on the config files the package ships: a `name: value` line (JSON, YAML, TOML,
    INI) giving a secret-like name a long random value, or a URL with a password."""

    part_of = CODE
    code = CODE
    name = NAME
    summary = SUMMARY
    message = MESSAGE

    def check(self, package: Package) -> Iterator[Finding]:
        configs = [
            entry for entry in package.entries if _is_config_file(entry) and not is_test_path(PurePath(entry.path))
        ]
        vendored = distribution_files(package) if configs else frozenset()
        for entry in configs:
            if entry.path in vendored:
                continue
            head = package.read_head(entry.path, SNIFFED_HEAD_BYTES)
            if head is None:
                continue
            for number, line in enumerate(head.decode("utf-8", "replace").splitlines(), 1):
                found = self._secret_in(line)
                if found is not None:
                    what, kind, instead = found
                    yield self.finding(
                        package.finding_path(entry.path), Position(number, 1), what=what, kind=kind, instead=instead
                    )

    @staticmethod
    def _secret_in(line: str) -> tuple[str, str, str] | None:
        entry = re.match(_CONFIG_ENTRY, line)
        # A private key in a config file makes the whole file a secret: CF505's.
        if structural_secret(line) == AWS_KEY_ID:
            return (f"`{entry.group(1)}`" if entry else "this line"), AWS_KEY_ID, READ_THE_ENVIRONMENT
        host = url_with_password(line)
        if host is not None:
            return f"the URL for {host}", URL_PASSWORD, READ_THE_ENVIRONMENT
        if entry is not None and is_secret_name(entry.group(1)) and looks_like_key(entry.group(2)):
            return f"`{entry.group(1)}`", LITERAL_KEY, READ_THE_ENVIRONMENT
        return None
