"""A package index made at test time: small wheels written into a folder that pip reads with
`--no-index --find-links`, so that resolution tests need no network."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from collections.abc import Sequence
from pathlib import Path


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def write_wheel(
    folder: Path,
    name: str,
    version: str,
    *,
    requires: Sequence[str] = (),
    modules: Sequence[str] | None = None,
    tag: str = "py3-none-any",
    top_level: bool = True,
) -> Path:
    """A wheel of `name` (its modules: `modules`, else the name with `_` for `-`) depending on
    `requires`, with the compatibility `tag`, written into `folder`."""
    stem = name.replace("-", "_")
    modules = list(modules) if modules is not None else [stem]
    info = f"{stem}-{version}.dist-info"
    metadata = "".join(
        [f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", *(f"Requires-Dist: {r}\n" for r in requires)]
    )
    root_is_pure = "true" if tag.endswith("none-any") else "false"
    files: dict[str, bytes] = {f"{module.replace('.', '/')}/__init__.py": b"" for module in modules}
    files[f"{info}/METADATA"] = metadata.encode()
    files[f"{info}/WHEEL"] = (
        f"Wheel-Version: 1.0\nGenerator: cflint-tests\nRoot-Is-Purelib: {root_is_pure}\nTag: {tag}\n".encode()
    )
    if top_level:
        files[f"{info}/top_level.txt"] = "".join(f"{m.split('.')[0]}\n" for m in modules).encode()
    record = "".join(f"{path},{_record_hash(data)},{len(data)}\n" for path, data in files.items())
    files[f"{info}/RECORD"] = (record + f"{info}/RECORD,,\n").encode()
    path = folder / f"{stem}-{version}-{tag}.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in files.items():
            archive.writestr(member, data)
    return path
