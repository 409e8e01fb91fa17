"""Path patterns of the settings: a pattern that cannot be read is a usage error naming its key."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from cflint.fs.patterns import PathPatterns, PatternError
from cflint.model import UsageError

if TYPE_CHECKING:
    from cflint.settings.config import Settings


def setting_patterns(lines: Sequence[str], key: str) -> PathPatterns:
    """Patterns from the config or the command line, for the setting `key`."""
    try:
        return PathPatterns.of_lines(lines)
    except PatternError as exc:
        raise UsageError(f"{key}: {exc}") from None


def exclusion_patterns(settings: Settings) -> PathPatterns:
    """`exclude` and `extend-exclude`: the paths not to lint."""
    return setting_patterns([*settings.exclude, *settings.extend_exclude], "exclude")
