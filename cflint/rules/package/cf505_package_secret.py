import posixpath
import re
from collections.abc import Iterator

from cflint.fs.patterns import name_matches
from cflint.model import Finding
from cflint.package.contents import Package, PackageEntry
from cflint.rule import PackageRule

RECORD_HEAD_BYTES = 4 * 1024 * 1024
# Files whose name does not tell are read for a key: only small text files, only their start.
SNIFFED_SIZE_LIMIT = 1024 * 1024
SNIFFED_HEAD_BYTES = 64 * 1024
_SNIFFED_SUFFIXES = frozenset({"", ".json", ".pem", ".txt", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".conf"})
# This and the name patterns below are compiled on first use (by `re`'s cache), each after a
# plain test that a match needs: most files and names fail it.
_PRIVATE_KEY_BLOCK = rb"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----"
# Compiled on first use (by `re`'s cache): only a .json or .npmrc file needs them.
_SERVICE_ACCOUNT_KEY = rb'"private_key"\s*:\s*"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----'
_NPM_TOKEN = rb"(?m)^\s*(?:[^\s=#;]*:)?_(?:authToken|auth|password)\s*=\s*\S"
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
    (".envrc", "an environment file (direnv)"),
    ("secrets.json", "a secrets file"),
    ("secrets.yaml", "a secrets file"),
    ("secrets.yml", "a secrets file"),
    ("secrets.toml", "a secrets file"),
    ("client_secret*.json", "an OAuth client secret"),
    ("service[-_]account*.json", "a service account key"),
)
_ENV_FILE = r"\.env(\..+)?$"
_ENV_TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".defaults")
_CREDENTIALS_STEM = r"(?i)(^|[-_.])credentials?([-_.]|$)"
_SOURCE_SUFFIXES = (".py", ".pyi")


def _secret_kind_by_name(entry: PackageEntry) -> str | None:
    name = entry.name
    if name.startswith(".env") and re.match(_ENV_FILE, name) and not name.endswith(_ENV_TEMPLATE_SUFFIXES):
        return "an environment file"
    for pattern, kind in _NAMED_SECRETS:
        if name_matches(name, pattern):
            return kind
    stem, extension = posixpath.splitext(name)
    if "cred" in stem.lower() and re.search(_CREDENTIALS_STEM, stem) and extension not in _SOURCE_SUFFIXES:
        return "a credentials file"
    return None


def _is_sniffed(entry: PackageEntry) -> bool:
    """Whether the start of `entry` is read for a secret: a small text file or `.npmrc`."""
    extension = posixpath.splitext(entry.name)[1]
    return entry.size <= SNIFFED_SIZE_LIMIT and (extension in _SNIFFED_SUFFIXES or entry.name == ".npmrc")


def _secret_kind_by_content(entry: PackageEntry, package: Package) -> str | None:
    """What a small file whose name does not tell holds: an npm token in `.npmrc`, a
    private key (a PEM block; in JSON, a service-account key's `"private_key"`)."""
    extension = posixpath.splitext(entry.name)[1]
    head = package.read_head(entry.path, SNIFFED_HEAD_BYTES)
    if head is None:
        return None
    if entry.name == ".npmrc":
        return "npm credentials (an auth token or password)" if re.search(_NPM_TOKEN, head) else None
    if extension == ".json" and re.search(_SERVICE_ACCOUNT_KEY, head):
        return "a service account key (its private_key)"
    if b"PRIVATE KEY-----" in head and re.search(_PRIVATE_KEY_BLOCK, head):
        return "a PEM file with a private key" if extension == ".pem" else "a file holding a private key"
    return None


def distribution_files(package: Package) -> frozenset[str]:
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
        named = {entry.path: kind for entry in package.entries if (kind := _secret_kind_by_name(entry)) is not None}
        sniffed = [entry for entry in package.entries if entry.path not in named and _is_sniffed(entry)]
        # A vendored distribution's files are left out before any is read (botocore alone has
        # a thousand JSON files).
        vendored = distribution_files(package) if named or sniffed else frozenset()
        secrets = dict(named)
        for entry in sniffed:
            kind = None if entry.path in vendored else _secret_kind_by_content(entry, package)
            if kind is not None:
                secrets[entry.path] = kind
        for path, kind in sorted(secrets.items()):
            if path not in vendored:
                yield self.finding(package.finding_path(path), item=path, kind=kind, fix=fix)
