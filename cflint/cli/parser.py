"""The lint command's arguments: the flags of settings, made from the options table, and
the flags that only steer one run."""

from __future__ import annotations

import argparse
from functools import partial
from pathlib import Path
from typing import Any, NoReturn

from cflint import __version__
from cflint.model import UsageError
from cflint.settings.options import OPTIONS, Flag, Setting

COLOR_CHOICES = ("auto", "always", "never")
_GROUP_TITLES = {
    "selection": "rule selection (each replaces the config key of the same name)",
    "output": "output",
    "fixes": "fixes (see docs/fixes.md)",
}


class UsageParser(argparse.ArgumentParser):
    """A parser whose errors are usage errors: one line and exit code 2, from `main`."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def _dest(flag_name: str) -> str:
    return flag_name.removeprefix("--").replace("-", "_")


def _add_setting_flags(group: argparse._ArgumentGroup, setting: Setting, flag: Flag) -> None:
    """The flag of a setting, then its extending and negating flags, as the table declares them."""
    extra: dict[str, Any] = {"default": None} if flag.action == "store_true" else {"metavar": flag.metavar}
    if setting.option.kind.choices is not None:
        extra = {"choices": setting.option.kind.choices}
    group.add_argument(*flag.names, dest=setting.field, action=flag.action, help=flag.help, **extra)
    if flag.extend is not None:
        name, text = flag.extend
        group.add_argument(name, dest=_dest(name), action=flag.action, help=text, **extra)
    if flag.negate is not None:
        name, text = flag.negate
        group.add_argument(name, dest=setting.field, action="store_false", help=text)


def _add_groups(parser: argparse.ArgumentParser) -> None:
    """The groups of flags that hold settings: the settings' flags first, then the group's own."""
    own_flags = {"output": _add_output_flags, "fixes": _add_fix_flags}
    for name, title in _GROUP_TITLES.items():
        group = parser.add_argument_group(title)
        for setting in OPTIONS:
            flag = setting.option.flag
            if flag is not None and flag.group == name:
                _add_setting_flags(group, setting, flag)
        if name in own_flags:
            own_flags[name](group)


def lint_parser(prog: str) -> argparse.ArgumentParser:
    parser = UsageParser(
        prog=prog,
        description="Check Python cloud functions before you upload them. 'cflint check PATH...' is the same as "
        "'cflint PATH...' (use it to lint a folder named check, rule or package).",
        epilog="Other commands: 'cflint rule CODE' prints a rule's page, 'cflint rule --all' lists the rules, "
        "'cflint package [DIR] [-o OUT.zip]' lints a function folder and writes its ZIP, "
        "'cflint server' runs the language server for editors. "
        "Exit codes: 0 no findings, 1 findings, 2 usage or configuration error, 130 interrupted.",
        # argparse checks each argument it is given with a help formatter, which by default
        # asks for the terminal's width and so imports shutil (with bz2 and lzma). A fixed
        # width does for those checks; the terminal's is asked for when help is printed, by
        # the default formatter set below.
        formatter_class=partial(argparse.HelpFormatter, width=80),
    )
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="function folders, .py files, .zip archives, or folders of functions (default: .)",
    )
    parser.add_argument("--version", action="version", version=f"cflint {__version__}")
    parser.add_argument("--config", type=Path, metavar="FILE", help="use this config file instead of searching for one")
    _add_groups(parser)
    _add_behaviour_and_inspection_flags(parser)
    parser.formatter_class = argparse.HelpFormatter
    return parser


def _add_output_flags(output: argparse._ArgumentGroup) -> None:
    output.add_argument(
        "--output-file",
        type=Path,
        metavar="FILE",
        help="write the report to FILE; the terminal gets a one-line summary",
    )
    output.add_argument(
        "--show-source", action="store_true", help="print the source line and a caret under each finding"
    )
    output.add_argument("--statistics", action="store_true", help="print the number of findings of each code")
    output.add_argument(
        "--color",
        choices=COLOR_CHOICES,
        default="auto",
        help="colour the output (default: auto; NO_COLOR is honoured)",
    )
    output.add_argument("-q", "--quiet", action="store_true", help="print findings only, no summary")
    output.add_argument(
        "--problem-matcher",
        choices=("github", "vscode"),
        help="print the GitHub Actions problem matcher or the VS Code tasks.json snippet, and exit",
    )


def _add_fix_flags(fixes: argparse._ArgumentGroup) -> None:
    fixes.add_argument(
        "--diff", action="store_true", help="print a unified diff of what --fix would change, write nothing"
    )
    fixes.add_argument("--fix-only", action="store_true", help="apply fixes and report nothing but the summary")


def _add_behaviour_and_inspection_flags(parser: argparse.ArgumentParser) -> None:
    behaviour = parser.add_argument_group("behaviour")
    behaviour.add_argument(
        "--exit-zero", action="store_true", help="exit 0 even with findings (CF001/CF002 still exit 1)"
    )
    behaviour.add_argument(
        "--fail-on",
        choices=("error", "warning"),
        default="warning",
        help="the lowest severity whose findings make the exit code 1 (default: warning)",
    )
    behaviour.add_argument(
        "--stdin-filename",
        type=Path,
        metavar="PATH",
        help="read the source from stdin (give '-' as the path) and lint it as PATH, with PATH's config and root",
    )
    inspection = parser.add_argument_group("inspection (print and exit)")
    inspection.add_argument(
        "--show-settings", type=Path, metavar="PATH", help="print the settings that apply to PATH and their config file"
    )
    inspection.add_argument(
        "--show-files", action="store_true", help="list the files that would be linted, each with its function root"
    )
    behaviour.add_argument(
        "--force-exclude", action="store_true", help="apply exclude patterns to paths named on the command line too"
    )
    behaviour.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    behaviour.add_argument(
        "--jobs", "-j", type=_positive_int, metavar="N", help="worker processes (default: one per core)"
    )
    behaviour.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the result cache ($CFLINT_CACHE_DIR, else .cflint_cache in the repository "
        "root, else the user's cache folder)",
    )


def overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The settings given on the command line, by config key (and extending flag)."""
    given: dict[str, Any] = {}
    for setting in OPTIONS:
        flag = setting.option.flag
        if flag is None:
            continue
        value = getattr(args, setting.field)
        if value is not None:
            given[setting.key] = value
        if flag.extend is not None:
            name = flag.extend[0].removeprefix("--")
            extension = getattr(args, _dest(name))
            if extension is not None:
                given[name] = extension
    return given
