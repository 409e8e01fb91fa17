"""Convert pipreqs' import-name → distribution mapping into cflint's data file.

Run once, by hand, when the dataset is refreshed:

    pip install --no-deps --target /tmp/pipreqs pipreqs==0.5.0
    python scripts/convert_pipreqs_mapping.py /tmp/pipreqs/pipreqs/mapping 0.5.0

pipreqs' `mapping` has one `import_name:DistributionName` per line. cflint needs the
other direction (which modules a listed distribution provides), so lines are grouped by
distribution. A top-level name that several distributions share is a namespace package
(`azure`, `plone`, `backports`): for those, the module is the distribution's own dotted
name (`azure_storage` → `azure.storage`), since the namespace alone says nothing.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent.parent / "cflint" / "knowledge" / "data" / "import_names.tsv"
_SEPARATORS = re.compile(r"[-_.]+")

HEADER = """\
# Import names of distributions on the package index, one distribution a line:
# `distribution<TAB>module module ...`, the distribution in PEP 503 form.
#
# Source: the `pipreqs/mapping` file shipped in the pipreqs {version} distribution
# (https://github.com/bndr/pipreqs), Copyright Vadim Kravcenko and contributors,
# licensed under the Apache License, Version 2.0
# (https://www.apache.org/licenses/LICENSE-2.0). Converted by
# scripts/convert_pipreqs_mapping.py: lines grouped by distribution; a top-level name
# shared by several distributions (a namespace package) is replaced by the
# distribution's dotted name. No other change. cflint's own corrections and additions
# live in packages.toml [provides], which wins over this file for a distribution.
"""


def canonical_name(name: str) -> str:
    return _SEPARATORS.sub("-", name).lower()


def convert(lines: Sequence[str]) -> dict[str, set[str]]:
    pairs = []
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        module, _, distribution = line.partition(":")
        if module.isidentifier() and distribution:
            pairs.append((module, distribution))
    sharers: dict[str, set[str]] = defaultdict(set)
    for module, distribution in pairs:
        sharers[module].add(canonical_name(distribution))
    provided: dict[str, set[str]] = defaultdict(set)
    for module, distribution in pairs:
        if len(sharers[module]) > 1:
            parts = _SEPARATORS.split(distribution)
            if parts[0].lower() != module.lower() or not all(part.isidentifier() for part in parts):
                continue  # a namespace entry whose sub-package cannot be told from its name
            module = ".".join([module, *parts[1:]])
        provided[canonical_name(distribution)].add(module)
    return provided


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print("usage: convert_pipreqs_mapping.py MAPPING_FILE PIPREQS_VERSION", file=sys.stderr)
        return 2
    mapping, version = Path(args[0]), args[1]
    provided = convert(mapping.read_text(encoding="utf-8").splitlines())
    body = "".join(f"{name}\t{' '.join(sorted(modules))}\n" for name, modules in sorted(provided.items()))
    OUTPUT.write_text(HEADER.format(version=version) + body, encoding="utf-8")
    print(f"{len(provided)} distributions written to {OUTPUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
