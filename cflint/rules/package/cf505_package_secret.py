import posixpath
import re
from collections.abc import Iterator

from cflint.model import Finding
from cflint.package.contents import Package, PackageEntry, PackageRule
from cflint.run.patterns import name_matches

PEM_HEAD_BYTES = 64 * 1024
RECORD_HEAD_BYTES = 4 * 1024 * 1024
_PRIVATE_KEY_MARKER = b"PRIVATE KEY-----"
_NAMED_SECRETS = (
    ("id_rsa", "an SSH private key"),
    ("id_dsa", "an SSH private key"),
    ("id_ecdsa", "an SSH private key"),
    ("id_ed25519", "an SSH private key"),
    ("*.key", "a private key"),
    ("*.p12", "a key store"),
    ("*.pfx", "a key store"),
    ("*.jks", "a key store"),
    ("*.keystore", "a key store"),
    ("*.ppk", "a PuTTY private key"),
    (".netrc", "login credentials"),
    (".pgpass", "database passwords"),
    (".pypirc", "package index credentials"),
    (".htpasswd", "password hashes"),
    ("secrets.json", "a secrets file"),
    ("secrets.yaml", "a secrets file"),
    ("secrets.yml", "a secrets file"),
    ("secrets.toml", "a secrets file"),
    ("client_secret*.json", "an OAuth client secret"),
    ("service[-_]account*.json", "a service account key"),
)
_ENV_FILE = re.compile(r"^\.env(\..+)?$")
_ENV_TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".defaults")
_CREDENTIALS_STEM = re.compile(r"(^|[-_.])credentials?([-_.]|$)", re.IGNORECASE)
_SOURCE_SUFFIXES = (".py", ".pyi")


def _secret_kind(entry: PackageEntry, package: Package) -> str | None:
    name = entry.name
    if _ENV_FILE.match(name) and not name.endswith(_ENV_TEMPLATE_SUFFIXES):
        return "an environment file"
    for pattern, kind in _NAMED_SECRETS:
        if name_matches(name, pattern):
            return kind
    stem, extension = posixpath.splitext(name)
    if _CREDENTIALS_STEM.search(stem) and extension not in _SOURCE_SUFFIXES:
        return "a credentials file"
    if name.endswith(".pem"):
        head = package.read_head(entry.path, PEM_HEAD_BYTES)
        if head is not None and _PRIVATE_KEY_MARKER in head:
            return "a PEM file with a private key"
    return None


def _distribution_files(package: Package) -> frozenset[str]:
    """Files that an installed distribution's RECORD lists (a package vendored with
    `pip install -t .`): their keys are the distribution's test fixtures, not secrets."""
    listed: set[str] = set()
    for entry in package.entries:
        folder, _, name = entry.path.rpartition("/")
        if name != "RECORD" or not folder.endswith(".dist-info"):
            continue
        head = package.read_head(entry.path, RECORD_HEAD_BYTES)
        if head is None:
            continue
        import csv  # only for a vendored distribution's RECORD

        parent = folder.rpartition("/")[0]
        prefix = parent + "/" if parent else ""
        listed.update(prefix + row[0] for row in csv.reader(head.decode("utf-8", "replace").splitlines()) if row)
    return frozenset(listed)


class PackageSecret(PackageRule):
    code = "CF505"
    name = "package-secret"
    summary = "The package ships a secret: .env, a private key, credentials"
    message = "{item} looks like {kind}: it must not ship; {fix}"

    def check(self, package: Package) -> Iterator[Finding]:
        fix = (
            "remove it from the archive"
            if package.is_archive
            else "move it out of the folder or add it to package-exclude"
        )
        secrets = [(entry, kind) for entry in package.entries if (kind := _secret_kind(entry, package)) is not None]
        vendored = _distribution_files(package) if secrets else frozenset()
        for entry, kind in secrets:
            if entry.path not in vendored:
                yield self.finding(package.finding_path(entry.path), item=entry.path, kind=kind, fix=fix)
