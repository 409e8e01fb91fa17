"""The call graph of a function root (cflint.analysis.callgraph): what a call runs, what runs
at import, and which values reach a helper's parameter, across the root's own modules."""

from __future__ import annotations

import os
from pathlib import Path

import libcst as cst

from cflint.analysis.callgraph import MAX_DEPTH, CallGraph, Function
from cflint.analysis.traversal import Walker
from cflint.engine.modules import ModuleStore
from cflint.engine.registry import load_registry
from cflint.project import FileContext
from cflint.rule import ParsedFile
from cflint.run.function_roots import RootFinder
from cflint.settings.config import SettingsResolver
from tests.helpers import write_files


def _graph(folder: Path, files: dict[str, str], linted: str = "user.py") -> CallGraph:
    write_files(folder, {"requirements.txt": "", **files})
    resolver = SettingsResolver({}, load_registry().codes)
    root = RootFinder(resolver, folder).make_root(folder)
    path = folder / linted
    context = FileContext.of(path, linted, root.settings, root)
    source = path.read_text()
    module = cst.parse_module(source)
    parsed = ParsedFile(context, source, module, Walker(), ModuleStore(load_registry()))
    return parsed.call_graph


def _calls(graph: CallGraph, name: str) -> list[Function]:
    """The callees of the calls in the home module's function `name`."""
    [function] = [
        Function(graph.home, s)
        for s in graph.home.module.body
        if isinstance(s, cst.FunctionDef) and s.name.value == name
    ]
    return [edge.callee for edge in graph.calls_in(function)]


def _names(functions: list[Function]) -> list[str]:
    return [f"{f.module.name}.{f.name}" for f in functions]


def _home_function(graph: CallGraph, name: str) -> Function:
    return next(
        Function(graph.home, s)
        for s in graph.home.module.body
        if isinstance(s, cst.FunctionDef) and s.name.value == name
    )


def test_calls_into_the_same_file_and_the_roots_modules_resolve(tmp_path: Path) -> None:
    graph = _graph(
        tmp_path,
        {
            "user.py": (
                "import helpers\nfrom store import Store, load as fetch\nfrom lib.db import connect\n"
                "cache = Store()\n\n"
                "def local():\n    return 1\n\n"
                "def main():\n    local()\n    helpers.stats(1)\n    fetch()\n    cache.get('k')\n    connect()\n"
                "    print('x')\n    missing()\n    return 'ok'\n"
            ),
            "helpers.py": "def stats(x):\n    return x\n",
            "store.py": "class Store:\n    def get(self, key):\n        return key\n\ndef load():\n    return {}\n",
            "lib/__init__.py": "",
            "lib/db.py": "def connect():\n    return None\n",
        },
    )
    assert _names(_calls(graph, "main")) == ["user.local", "helpers.stats", "store.load", "store.get", "lib.db.connect"]


def test_unknown_callees_are_not_followed(tmp_path: Path) -> None:
    """Decorated, async, rebound, conditional and third-party callees are unknown."""
    graph = _graph(
        tmp_path,
        {
            "user.py": (
                "import functools, requests\nfrom helpers import *\n\n"
                "@functools.lru_cache\ndef cached():\n    return 1\n\n"
                "async def later():\n    return 1\n\n"
                "def twice():\n    return 1\n\ndef twice():\n    return 2\n\n"
                "def main():\n    cached()\n    later()\n    twice()\n    requests.get('u')\n    star()\n"
                "    return 'ok'\n"
            ),
            "helpers.py": "def star():\n    return 1\n",
        },
    )
    assert _calls(graph, "main") == []


def test_a_root_with_one_module_reads_no_other_file(tmp_path: Path) -> None:
    graph = _graph(
        tmp_path, {"user.py": "import os\n\ndef f():\n    return 1\n\ndef main():\n    os.getcwd()\n    return f()\n"}
    )
    assert _names(_calls(graph, "main")) == ["user.f"]
    assert graph.module("os") is None
    assert graph._source is not None and graph._source._parsed == {}  # type: ignore[attr-defined]


def test_reach_follows_chains_once_and_stops_at_recursion(tmp_path: Path) -> None:
    graph = _graph(
        tmp_path,
        {
            "user.py": (
                "from helpers import a\n\ndef main():\n    a()\n    return 'ok'\n\ndef again():\n    return main()\n"
            ),
            "helpers.py": "def a():\n    return b()\n\ndef b():\n    return a()\n",
        },
    )
    reached = list(graph.reach(_home_function(graph, "main")))
    assert [(r.function.name, len(r.chain)) for r in reached] == [("main", 0), ("a", 1), ("b", 2)]


def test_reach_is_bounded_in_depth(tmp_path: Path) -> None:
    chain = "".join(f"def f{i}():\n    return f{i + 1}()\n\n" for i in range(MAX_DEPTH + 5))
    graph = _graph(tmp_path, {"user.py": chain + f"def f{MAX_DEPTH + 5}():\n    return 1\n"})
    reached = list(graph.reach(_home_function(graph, "f0")))
    assert max(len(r.chain) for r in reached) == MAX_DEPTH


def test_import_time_calls(tmp_path: Path) -> None:
    graph = _graph(
        tmp_path,
        {
            "user.py": (
                "from helpers import register, setting\n\n"
                "def main():\n    return 'ok'\n\n"
                "def default():\n    return 1\n\n"
                "@register\ndef handler(x=default()):\n    return x\n\n"
                "class Config:\n    level = setting()\n\n"
                "    def method(self):\n        return main()\n\n"
                "f = lambda: main()\n"
                "main()\n"
                "if __name__ == '__main__':\n    default()\n"
            ),
            "helpers.py": "def register(fn):\n    return fn\n\ndef setting():\n    return 1\n",
        },
    )
    found = [(type(edge.node).__name__, edge.callee.name) for edge in graph.import_time(graph.home)]
    assert found == [("Decorator", "register"), ("Call", "default"), ("Call", "main"), ("Call", "setting")]


def test_parameter_values_come_from_the_default_and_every_call(tmp_path: Path) -> None:
    files = {
        "user.py": (
            "from helpers import read\n\ndef main():\n    read()\n    read('b.txt')\n    read(path='c.txt')\n    return 'ok'\n"
        ),
        "helpers.py": "def read(path='a.txt'):\n    return open(path).read()\n",
    }
    graph = _graph(tmp_path, files, "helpers.py")
    read = Function(graph.home, graph.home.module.body[0])  # type: ignore[arg-type]
    values = graph.parameter_values(read, "path")
    assert values is not None
    assert [cst.Module([]).code_for_node(v.value) for v in values] == ["'a.txt'", "'b.txt'", "'c.txt'"]


HELPERS = "def read(path='a.txt'):\n    return open(path).read()\n"


def _read_values(tmp_path: Path, files: dict[str, str]) -> tuple[list[str] | None, CallGraph]:
    """The values of helpers.read's `path` as code, with the graph of helpers.py among `files`."""
    graph = _graph(tmp_path, {"helpers.py": HELPERS, **files}, "helpers.py")
    read = Function(graph.home, graph.home.module.body[0])  # type: ignore[arg-type]
    values = graph.parameter_values(read, "path")
    return (None if values is None else [cst.Module([]).code_for_node(v.value) for v in values]), graph


def test_parameter_values_are_unknown_when_the_function_is_passed_along(tmp_path: Path) -> None:
    user = "from helpers import read\n\ndef main():\n    return list(map(read, ['x']))\n"
    assert _read_values(tmp_path, {"user.py": user})[0] is None


def test_line_names_the_def_in_its_own_module(tmp_path: Path) -> None:
    graph = _graph(
        tmp_path,
        {
            "user.py": "from helpers import h\n\ndef main():\n    return h()\n",
            "helpers.py": "\n\n\ndef h():\n    return 1\n",
        },
    )
    [callee] = _calls(graph, "main")
    assert (graph.line(callee), graph.location(callee)) == (4, "helpers.py:4")


def test_own_modules_leave_out_vendored_and_hidden_code(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "requirements.txt": "",
            "user.py": "",
            "lib/util.py": "",
            ".hidden/x.py": "",
            "requests/__init__.py": "",
            "requests-2.0.dist-info/RECORD": "requests/__init__.py,,\n",
        },
    )
    resolver = SettingsResolver({}, load_registry().codes)
    root = RootFinder(resolver, tmp_path).make_root(tmp_path)
    assert sorted(root.own_modules) == ["lib.util", "user"]
    assert os.path.basename(root.own_modules["lib.util"]) == "util.py"


def test_a_callee_with_transparent_decorators_is_followed(tmp_path: Path) -> None:
    """The decorators judged as for entries (cflint.analysis.decorators): a registration or a
    functools.wraps pass-through is followed, a wrapper that changes the result, a method's
    decorator, and a decorator whose answer needs its own are not."""
    logged = (
        "import functools\n\ndef logged(fn):\n    @functools.wraps(fn)\n    def wrapper(*args, **kwargs):\n"
        "        return fn(*args, **kwargs)\n    return wrapper\n\n"
    )
    graph = _graph(
        tmp_path,
        {
            "user.py": (
                "from helpers import logged, register\n\n"
                "@logged\ndef kept():\n    return 1\n\n"
                "@register\n@logged\ndef both():\n    return 1\n\n"
                "def double(fn):\n    def wrapper(*args, **kwargs):\n        return 2 * fn(*args, **kwargs)\n"
                "    return wrapper\n\n"
                "@double\ndef changed():\n    return 1\n\n"
                "class Jobs:\n    @logged\n    def run(self):\n        return 1\n\njobs = Jobs()\n\n"
                "def main():\n    kept()\n    both()\n    changed()\n    jobs.run()\n    return 'ok'\n"
            ),
            "helpers.py": logged + "def register(fn):\n    return fn\n\n@logged\ndef own():\n    return 1\n",
        },
    )
    assert _names(_calls(graph, "main")) == ["user.kept", "user.both"]
    looped = _graph(
        tmp_path / "looped",
        {"user.py": logged.replace("def logged", "@logged\ndef logged") + "def main():\n    logged(main)\n"},
    )
    assert _calls(looped, "main") == []


def _method_calls(graph: CallGraph, method: str) -> list[Function]:
    """The callees of the calls in the method `method` of the home module's one class."""
    [owner] = [s for s in graph.home.module.body if isinstance(s, cst.ClassDef)]
    assert isinstance(owner.body, cst.IndentedBlock)
    [definition] = [s for s in owner.body.body if isinstance(s, cst.FunctionDef) and s.name.value == method]
    return [edge.callee for edge in graph.calls_in(Function(graph.home, definition))]


JOBS = (
    "class Jobs:\n    def run(self):\n        return self.fetch()\n\n    def fetch(self):\n        return 1\n\n"
    "    def other(this, self):\n        return self.fetch()\n\n\ndef main():\n    return 'ok'\n"
)


def test_self_method_calls_run_the_classs_own_method(tmp_path: Path) -> None:
    graph = _graph(tmp_path, {"user.py": JOBS})
    assert _names(_method_calls(graph, "run")) == ["user.fetch"]
    assert _method_calls(graph, "other") == []  # `self` is not the method's own instance there


def test_self_method_calls_are_unknown_when_an_override_may_run(tmp_path: Path) -> None:
    """A class of the root deriving from it may override the method; an assigned attribute
    of the same name, or a metaclass, may stand for another callable."""
    derived = _graph(
        tmp_path / "derived",
        {
            "user.py": JOBS,
            "more.py": "from user import Jobs\n\nclass Nightly(Jobs):\n    def fetch(self):\n        return 2\n",
        },
    )
    assert _method_calls(derived, "run") == []
    assigned = JOBS.replace(
        "        return self.fetch()\n\n    def fetch",
        "        self.fetch = print\n        return self.fetch()\n\n    def fetch",
        1,
    )
    assert _method_calls(_graph(tmp_path / "assigned", {"user.py": assigned}), "run") == []
    meta = JOBS.replace("class Jobs:", "class Jobs(metaclass=type):")
    assert _method_calls(_graph(tmp_path / "meta", {"user.py": meta}), "run") == []


def _parsed_names(graph: CallGraph) -> set[str]:
    return {path.name for path in graph._source._parsed}  # type: ignore[union-attr]


def test_parameter_values_parse_only_the_modules_that_name_the_function(tmp_path: Path) -> None:
    files = {
        "user.py": "from helpers import read\n\ndef main():\n    return read('b.txt')\n",
        "other.py": "def write(text):\n    return text\n",
        "broken.py": "def nothing(:\n",  # cannot run, so calls nothing
    }
    values, graph = _read_values(tmp_path, files)
    assert values == ["'a.txt'", "'b.txt'"]
    assert _parsed_names(graph) == {"user.py"}


def test_parameter_values_are_unknown_when_a_module_naming_the_function_cannot_be_parsed(tmp_path: Path) -> None:
    files = {
        "user.py": "from helpers import read\n\ndef main():\n    return read('b.txt')\n",
        "broken.py": "from helpers import read\nread(:\n",
    }
    assert _read_values(tmp_path, files)[0] is None


def test_an_override_is_looked_for_only_in_modules_naming_the_class(tmp_path: Path) -> None:
    graph = _graph(tmp_path, {"user.py": JOBS, "other.py": "def write(text):\n    return text\n"})
    assert _names(_method_calls(graph, "run")) == ["user.fetch"]
    assert _parsed_names(graph) == set()
