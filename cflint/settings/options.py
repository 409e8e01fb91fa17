"""Every setting, declared once: a field of `Settings` with its type and default, and its
`Option` (kind of value, help, example and command-line flag) as the field's metadata. The config reader,
the command-line parser, --show-settings and docs/options.md are all made from `OPTIONS`.

Adding a setting is adding a field here and using it where it matters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cflint.model import EntryPoint
from cflint.record import NODEFAULT, Record, field, fields
from cflint.settings import values
from cflint.settings.values import MIB, PLATFORM_VERSIONS, Kind

# The names `--output-format` takes; cflint.output.REPORTERS has a reporter for each (a test holds
# them equal). Declared with the option, below the reporters, which import the rules' metadata.
OUTPUT_FORMATS = ("default", "github", "json", "sarif", "gitlab")

DEFAULT_EXCLUDE = (
    ".git",
    ".hg",
    ".svn",
    ".bzr",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "__pycache__",
    "node_modules",
    "build",
    "dist",
    ".eggs",
    "*.egg-info",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".cflint_cache",
    "site-packages",
)


class Flag(Record, frozen=True):
    """The command-line flag of a setting. `group` is its section of --help; `action` is
    argparse's ("append" for a flag given once per value); `extend` is a flag that adds to
    the setting's value instead of replacing it, and `negate` one that sets a boolean false,
    each as (flag, help)."""

    names: tuple[str, ...]
    help: str
    group: str
    metavar: str | None = None
    action: str = "store"
    extend: tuple[str, str] | None = None
    negate: tuple[str, str] | None = None


class Option(Record, frozen=True):
    """What a setting is for users: its kind of value, a help text for the docs, an example
    value as it is written in TOML, what it means when not set (for a setting whose default
    is None), and its command-line flag, if it has one."""

    kind: Kind
    help: str
    example: Any
    flag: Flag | None = None
    unset: str = ""


class Settings(Record, frozen=True):
    """The effective configuration for one folder: the file's values, then the flags."""

    base_dir: Path = field(default_factory=Path.cwd)
    config_path: Path | None = None
    select: tuple[str, ...] | None = field(
        default=None,
        metadata=Option(
            values.SELECTORS,
            "Rule codes or prefixes to enable, in place of the rules that are on by default. A prefix (`CF2`) "
            "turns on the rules under it that are on by default; a rule that is off by default is turned on only "
            "by its exact code or by `ALL`.",
            ["CF1", "CF2"],
            Flag(
                ("--select",),
                "rule codes or prefixes to enable, comma-separated (ALL for every rule)",
                "selection",
                "CODES",
            ),
            unset="the rules that are on by default",
        ),
    )
    ignore: tuple[str, ...] = field(
        default=(),
        metadata=Option(
            values.SELECTORS,
            "Rule codes or prefixes to disable. CF001 and CF002 cannot be turned off.",
            ["CF202"],
            Flag(
                ("--ignore",),
                "rule codes or prefixes to disable",
                "selection",
                "CODES",
                extend=("--extend-ignore", "codes to disable on top of the config's ignore"),
            ),
        ),
    )
    extend_select: tuple[str, ...] = field(
        default=(),
        metadata=Option(
            values.SELECTORS,
            "Rule codes or prefixes to enable on top of `select`, such as rules that are off by default.",
            ["CF207", "CF011"],
            Flag(
                ("--extend-select",),
                "codes to enable on top of select, e.g. off-by-default rules",
                "selection",
                "CODES",
            ),
        ),
    )
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = field(
        default=(),
        metadata=Option(
            values.PER_FILE_IGNORES,
            "Rule codes or prefixes to ignore in the files matching a pattern (gitignore syntax, relative to the "
            "config file's folder). On the command line, each flag gives one `PATTERN:CODES`.",
            {"tests/*": ["CF1"]},
            Flag(
                ("--per-file-ignores",),
                "codes to ignore in files matching PATTERN (repeatable)",
                "selection",
                "PATTERN:CODES",
                action="append",
                extend=("--extend-per-file-ignores", "per-file-ignores added to the config's (repeatable)"),
            ),
        ),
    )
    exclude: tuple[str, ...] = field(
        default=DEFAULT_EXCLUDE,
        metadata=Option(
            values.PATTERNS,
            "Paths not to lint (gitignore syntax, relative to the config file's folder); replaces the default list.",
            [".git", ".venv", "__pycache__"],
            Flag(
                ("--exclude",),
                "gitignore-style patterns of paths not to lint (replaces the defaults)",
                "selection",
                "PATTERNS",
            ),
        ),
    )
    extend_exclude: tuple[str, ...] = field(
        default=(),
        metadata=Option(
            values.PATTERNS,
            "Paths not to lint, on top of `exclude`.",
            ["generated/"],
            Flag(("--extend-exclude",), "patterns to exclude on top of the defaults", "selection", "PATTERNS"),
        ),
    )
    entry_points: tuple[EntryPoint, ...] = field(
        default=(EntryPoint("user", "main"),),
        metadata=Option(
            values.ENTRY_POINTS,
            "The functions the platform calls, as `module.function`, as set in the console.",
            ["user.main", "handlers.main"],
            Flag(
                ("--entry-points",),
                "entry points as module.function, comma-separated (default: user.main)",
                "selection",
                "NAMES",
            ),
        ),
    )
    target_versions: tuple[tuple[int, int], ...] = field(
        default=PLATFORM_VERSIONS,
        metadata=Option(
            values.TARGET_VERSIONS,
            "The Python runtimes the function must work on: some of "
            + ", ".join(f"{major}.{minor}" for major, minor in PLATFORM_VERSIONS)
            + ".",
            ["3.12", "3.13"],
            Flag(
                ("--target-versions",),
                "Python versions the function must run on (default: 3.11,3.12,3.13)",
                "selection",
                "VERSIONS",
            ),
        ),
    )
    output_format: str = field(
        default="default",
        metadata=Option(
            values.one_of(OUTPUT_FORMATS),
            "How findings are printed: `default` for a terminal, `github` for GitHub Actions annotations, `json`, "
            "`sarif` (code scanning) or `gitlab` (Code Quality).",
            "github",
            Flag(
                ("--output-format", "--format"),
                "output format (default: output-format of the config, else default)",
                "output",
            ),
        ),
    )
    unsupported_packages: tuple[str, ...] | None = field(
        default=None,
        metadata=Option(
            values.DISTRIBUTIONS,
            "Distributions that cannot run on the platform (they need native code), in place of the built-in "
            "catalogue.",
            ["numpy"],
            unset="the built-in catalogue",
        ),
    )
    extend_unsupported_packages: tuple[str, ...] = field(
        default=(),
        metadata=Option(
            values.DISTRIBUTIONS,
            "Distributions that cannot run on the platform, on top of the catalogue.",
            ["heavy-lib"],
        ),
    )
    allow_packages: tuple[str, ...] = field(
        default=(),
        metadata=Option(
            values.DISTRIBUTIONS,
            "Distributions known to work on the platform, never reported as unsupported.",
            ["pillow"],
        ),
    )
    max_package_size: int = field(
        default=100 * MIB,
        metadata=Option(
            values.SIZE,
            "The largest package the platform takes, uncompressed (CF503); also bounds how much source an "
            "archive's lint reads.",
            "50 MiB",
        ),
    )
    package_exclude: tuple[str, ...] = field(
        default=(),
        metadata=Option(
            values.PATTERNS,
            "Paths that `cflint package` and the package rules leave out of the archive (gitignore syntax, "
            "relative to the config file's folder).",
            ["docs/"],
        ),
    )
    max_file_size: int = field(
        default=10 * MIB,
        metadata=Option(values.SIZE, "Larger `.py` files are not linted; each is reported with CF004.", "2 MiB"),
    )
    module_map: tuple[tuple[str, tuple[str, ...]], ...] = field(
        default=(),
        metadata=Option(
            values.MODULE_MAP,
            "The modules of distributions CF303 does not know; they replace what cflint knows of a distribution.",
            {"dnspython": ["dns"]},
        ),
    )
    function_roots: tuple[str, ...] = field(
        default=(),
        metadata=Option(
            values.STRINGS,
            "Globs of the folders that are functions, relative to the config file's folder (`*` within one folder "
            "name, `**` for any number of folders). When set, exactly the matching folders are function roots.",
            ["functions/*"],
        ),
    )
    read_whole_limit: int = field(
        default=MIB,
        metadata=Option(values.SIZE, "Files the function ships up to this size may be read whole (CF401).", "512 KiB"),
    )
    resolve: bool = field(
        default=False,
        metadata=Option(
            values.BOOLEAN,
            "Resolve each function's requirements.txt with pip, as the runtime would install it, for every target "
            "version (CPython, manylinux x86_64, wheels only), and report what pip's answer shows (CF302, CF303, "
            "CF307). Needs pip and the package index; answers are cached (docs/resolve.md).",
            True,
            Flag(
                ("--resolve",),
                "resolve requirements.txt with pip for each target version (config: resolve)",
                "selection",
                action="store_true",
                negate=("--no-resolve", "do not resolve, even when the config says resolve"),
            ),
        ),
    )
    fix: bool = field(
        default=False,
        metadata=Option(
            values.BOOLEAN,
            "Apply safe fixes in place, as if `--fix` were given (`--no-fix` overrides).",
            True,
            Flag(
                ("--fix",),
                "apply safe fixes in place (config: fix)",
                "fixes",
                action="store_true",
                negate=("--no-fix", "do not fix, even when the config says fix"),
            ),
        ),
    )
    unsafe_fixes: bool = field(
        default=False,
        metadata=Option(
            values.BOOLEAN,
            "Apply fixes that may change behaviour too, as `--unsafe-fixes` does.",
            True,
            Flag(
                ("--unsafe-fixes",),
                "apply fixes that change behaviour too (config: unsafe-fixes)",
                "fixes",
                action="store_true",
            ),
        ),
    )
    unfixable: tuple[str, ...] = field(
        default=(),
        metadata=Option(
            values.SELECTORS, "Rule codes or prefixes never fixed; their findings are shown without a fix.", ["CF303"]
        ),
    )
    fix_timeout: int | float = field(
        default=10,
        metadata=Option(values.SECONDS, "The seconds CF403's fix passes as `timeout=`; below `time-limit`.", 2.5),
    )
    time_limit: int | float = field(
        default=60,
        metadata=Option(
            values.SECONDS,
            "The function's execution time limit (its timeout), set per function where it is created or "
            "modified in the Cloud Functions console; the platform stops the function then. CF404 reports "
            "sleeps and timeouts at or past it.",
            300,
            Flag(
                ("--time-limit",),
                "the function's execution time limit in seconds (default: 60)",
                "selection",
                "SECONDS",
            ),
        ),
    )


class Setting(Record, frozen=True):
    """A setting: its config key, its `Settings` field, default and `Option`."""

    key: str
    field: str
    default: Any
    option: Option


def _settings_table() -> tuple[Setting, ...]:
    table = []
    for info in fields(Settings):
        if isinstance(info.metadata, Option):
            default = info.default if info.default_factory is NODEFAULT else info.default_factory()
            table.append(Setting(info.name.replace("_", "-"), info.name, default, info.metadata))
    return tuple(table)


OPTIONS = _settings_table()
OPTION_BY_KEY = {setting.key: setting for setting in OPTIONS}
# Command-line flags that add to a setting's value instead of replacing it, and the key of that setting.
EXTENDING_FLAGS = {
    setting.option.flag.extend[0].removeprefix("--"): setting.key
    for setting in OPTIONS
    if setting.option.flag is not None and setting.option.flag.extend is not None
}
