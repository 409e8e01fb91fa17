"""The registry reads the rules' metadata from the generated rule index
(cflint/engine/rule_index.py): it must equal what importing every rule module gives, and a
rule skipped by its metadata must be one its class would skip too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cflint.engine.registry import Registry, load_registry, scan_registry
from cflint.project import FileContext
from cflint.record import replace
from cflint.rule import Rule
from cflint.settings.config import SettingsResolver
from scripts.generate_rule_index import main
from tests.helpers import write_files

REGISTRY = load_registry()
SCANNED = scan_registry()


def test_the_index_equals_what_importing_the_rules_gives() -> None:
    assert REGISTRY == SCANNED


def test_the_index_is_not_stale() -> None:
    assert main(["--check"]) == 0


def test_a_stale_index_is_found_and_rewritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import scripts.generate_rule_index as generator

    index = tmp_path / "rule_index.py"
    monkeypatch.setattr(generator, "INDEX", index)
    assert main(["--check"]) == 1  # missing
    assert not index.exists()
    assert main([]) == 0
    assert main(["--check"]) == 0
    index.write_text(index.read_text(encoding="utf-8").replace("'CF102'", "'CF199'"), encoding="utf-8")
    assert main(["--check"]) == 1


def test_the_rules_that_decide_for_themselves_are_known() -> None:
    """A file rule whose class overrides `applies_to` is imported to be asked."""
    own = {meta.code for meta in REGISTRY.rules if meta.own_applies_to}
    assert own == {rule.code for rule in SCANNED.file_rules if "applies_to" in vars(rule)}
    assert own >= {"CF404", "CF602", "CF702"}


SOURCES = (
    "",
    "def main():\n    return 'ok'\n",
    "import requests\n\ndef main():\n    return requests.get('https://x', timeout=5).text\n",
    "from flask import request\nimport os, time\n\ndef main():\n    time.sleep(1)\n    return os.environ['x']\n",
    "import yaml, json\n\ndef main():\n    return json.dumps(yaml.safe_load(open('a').read()))\n",
)


@pytest.mark.parametrize("entry", [True, False], ids=["entry-module", "other-module"])
def test_a_rule_skipped_by_its_metadata_would_skip_the_file(tmp_path: Path, entry: bool) -> None:
    settings = SettingsResolver({}, REGISTRY.codes).for_folder(tmp_path)
    name = "user" if entry else "helper"
    context = FileContext(
        tmp_path / f"{name}.py", f"{name}.py", settings, None, name, frozenset({"main"} if entry else ())
    )
    assert context.is_entry_module is entry
    for source in SOURCES:
        for meta in REGISTRY.rules:
            rule = meta.load()
            if issubclass(rule, Rule) and not meta.may_apply(context, source):
                assert not rule.applies_to(context, source), (meta.code, source)


def test_the_rules_chosen_for_a_file_are_those_their_classes_choose(tmp_path: Path) -> None:
    """A class's `applies_to` is asked only where the metadata's check may not be its own: the
    choice is the classes', also from metadata that are not theirs (another cache's rules.json)."""
    settings = SettingsResolver({}, REGISTRY.codes).for_folder(tmp_path)
    context = FileContext(tmp_path / "user.py", "user.py", settings, None, "user", frozenset({"main"}))
    enabled = frozenset(meta.code for meta in REGISTRY.rules)
    loose = Registry(tuple(replace(meta, requires_text=()) for meta in REGISTRY.rules))
    for registry in (load_registry(), loose):
        for source in SOURCES:
            chosen = [rule for rule in SCANNED.file_rules if rule.applies_to(context, source)]
            assert registry.file_rules_for(enabled, context, source) == chosen, source


def test_a_run_imports_only_the_file_rules_that_may_fire(tmp_path: Path) -> None:
    write_files(tmp_path, {"user.py": "import requests\n\ndef main():\n    return 'ok'\n", "requirements.txt": ""})
    script = (
        "import sys\nfrom cflint.cli.main import main\nmain(['--no-cache', '--exit-zero', '.'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('cflint.rules.')))"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True)
    imported = done.stdout.splitlines()[-1]
    assert "cflint.rules.resources.cf403_call_without_timeout" in imported  # the file names requests
    assert "cflint.rules.portability.cf803_other_platform_address" not in imported  # nor localhost, nor .svc
    assert "cflint.rules.returns.cf207_json_dumps_return" not in imported  # off by default


def test_an_index_of_other_fields_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import cflint.engine.rule_index as index
    from cflint.engine.registry import load_registry

    monkeypatch.setattr(index, "FIELDS", index.FIELDS[:-1])
    with pytest.raises(RuntimeError, match="stale"):
        load_registry()
