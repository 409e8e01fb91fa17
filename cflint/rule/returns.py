"""The return-value findings of entry functions, computed once per file for CF201-CF208.

An entry function's own `return` statements (not those of functions, lambdas or classes
nested in it) are judged by `ResponseJudge`, which follows `return helper(...)` into the
root's own functions through the call graph; whether it can run off its end is decided by
the control-flow analysis. `async` entry functions, and those with a decorator that is not
transparent (`cflint.analysis.decorators`), are skipped: what the runtime gets from them is
not what their `return` statements say.
"""

from __future__ import annotations

import libcst as cst

from cflint.analysis.bindings import Form
from cflint.analysis.callgraph import Function
from cflint.analysis.decorators import transparent
from cflint.analysis.entry import effective_definitions
from cflint.analysis.exits import exits_through_calls, process_exits
from cflint.analysis.inference import ValueInference, is_generator
from cflint.analysis.kinds import Kind
from cflint.analysis.scopes import Scopes
from cflint.analysis.traversal import Walker
from cflint.fix.proposal import Replace
from cflint.record import Record
from cflint.rule import LineOf, ParsedFile, Rule
from cflint.rule.responses import Problem, ResponseJudge

_GENERATOR = "a generator (it is a generator function)"
_STRINGS = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)


# json.dumps arguments that change only the text's layout, which Flask then chooses.
_LAYOUT_KEYWORDS = frozenset({"ensure_ascii", "indent", "separators", "sort_keys"})
# Methods that read a dict and cannot add a key to it.
_READING_METHODS = frozenset({"get", "keys", "values", "items", "copy"})


def _reads_or_sets_string_key(use: cst.Name, parent: cst.CSTNode | None, dumps_arguments: set[int]) -> bool:
    """Whether this use of a dict's name cannot give it a key that is not a str."""
    if id(parent) in dumps_arguments:
        return True
    if isinstance(parent, (cst.If, cst.While, cst.IfExp)) and parent.test is use:
        return True
    if isinstance(parent, (cst.Comparison, cst.ComparisonTarget)):
        return True  # `"a" in d`, `d == {}`
    if isinstance(parent, cst.UnaryOperation) and isinstance(parent.operator, cst.Not):
        return True
    if isinstance(parent, cst.Attribute) and parent.value is use:
        return parent.attr.value in _READING_METHODS
    if isinstance(parent, cst.Subscript) and parent.value is use:
        return all(
            isinstance(element.slice, cst.Index) and isinstance(element.slice.value, _STRINGS)
            for element in parent.slice
        )
    return False


class EntryProblem(Record, frozen=True):
    """A problem with what an entry function returns, and CF207's replacement."""

    function: str
    problem: Problem
    replacement: cst.BaseExpression | None = None  # the fix: CF207's dict json.dumps was given, CF206's str(e)


class ReturnAnalysis:
    """Problems of the entry functions of one module; use it through `ParsedFile.analysis`."""

    def __init__(self, module: cst.Module, walker: Walker) -> None:
        self.module = module
        self.walker = walker
        self._found: tuple[EntryProblem, ...] | None = None

    def problems(self, file: ParsedFile) -> tuple[EntryProblem, ...]:
        """Every problem of every definition of the file's entry functions, in name order."""
        if self._found is None:
            inference = ValueInference(self.walker, file.analysis(Scopes), file.call_graph)
            self._found = tuple(self._find_all(file.context.entry_functions, inference))
        return self._found

    def _find_all(self, entry_functions: frozenset[str], inference: ValueInference) -> list[EntryProblem]:
        found: list[EntryProblem] = []
        for name in sorted(entry_functions):
            for definition in effective_definitions(inference.scopes, name):
                if definition.asynchronous is not None or not transparent(definition, inference, (self.module,)):
                    continue
                found.extend(self._exits(name, definition, inference))
                if is_generator(inference.nodes_of(definition)):  # it may end: its caller gets a generator
                    found.append(EntryProblem(name, Problem("CF202", definition.name, _GENERATOR)))
                    continue
                found.extend(
                    EntryProblem(
                        name,
                        problem,
                        problem.replacement
                        if problem.replacement is not None
                        else self._dumped_dict(problem, inference, definition),
                    )
                    for problem in self._judge_returns(definition, inference)
                )
                known, end = inference.end_of(definition, (definition, self.module))
                if known and end is not None:
                    # The engine fills in the line from the findings' single position pass.
                    found.append(EntryProblem(name, Problem("CF203", definition.name, LineOf(end))))
        return found

    def _exits(self, name: str, definition: cst.FunctionDef, inference: ValueInference) -> list[EntryProblem]:
        """CF208: the entry's own process exits, then its calls that reach one."""
        found = [
            EntryProblem(name, Problem("CF208", exit_.node, exit_.what))
            for exit_ in process_exits(definition, inference, (definition, self.module))
        ]
        if inference.own is not None:
            start = Function(inference.own, definition)
            found.extend(
                EntryProblem(name, Problem("CF208", through.node, through.what))
                for through in exits_through_calls(start, inference)
            )
        return found

    def _dumped_dict(
        self, problem: Problem, inference: ValueInference, definition: cst.FunctionDef
    ) -> cst.BaseExpression | None:
        """For CF207 on `json.dumps(x, ...)` itself with `x` evidently a dict with string keys
        and no other argument than layout ones: `x`. Flask sorts the keys it sends, which
        fails on keys of mixed types, so any other key is no fix."""
        call = problem.node
        if problem.code != "CF207" or not isinstance(call, cst.Call) or not call.args:
            return None
        first, *others = call.args
        if (
            first.keyword is not None
            or first.star
            or any(arg.keyword is None or arg.keyword.value not in _LAYOUT_KEYWORDS for arg in others)
        ):
            return None
        scopes = (definition, self.module)
        value = inference.infer(first.value, scopes)
        if value is None or value.kind is not Kind.DICT:
            return None
        display = first.value
        if isinstance(display, cst.Name):
            found = self._local_dict(display, first, inference, definition)
            if found is None:
                return None
            display = found
        return first.value if self._string_keys_only(display, inference, scopes) else None

    def _local_dict(
        self, name: cst.Name, argument: cst.Arg, inference: ValueInference, definition: cst.FunctionDef
    ) -> cst.BaseExpression | None:
        """The dict display a local name is bound to once, when nothing can add a key to it
        later: every other use reads it (`if d:`, `d.get(...)`) or sets a string key."""
        scopes = (definition, self.module)
        found = inference.lookup(name.value, scopes)
        if found is None or found[1][0] is not definition:
            return None
        binding = found[0]
        if binding.form not in (Form.ASSIGNMENT, Form.ANNOTATED) or binding.item or binding.value is None:
            return None
        parents: dict[int, cst.CSTNode] = {}
        dumps_arguments = {id(argument)}
        for node in self.walker.descendants(definition.body):
            for child in self.walker.children(node):
                parents[id(child)] = node
            if isinstance(node, cst.Call) and node.args and inference.qualified(node.func, scopes) == "json.dumps":
                dumps_arguments.add(id(node.args[0]))
        for node in self.walker.descendants(definition.body):
            if (
                isinstance(node, cst.Name)
                and node.value == name.value
                and node is not binding.target
                and not _reads_or_sets_string_key(node, parents.get(id(node)), dumps_arguments)
            ):
                return None
        return binding.value

    def _string_keys_only(
        self, node: cst.BaseExpression, inference: ValueInference, scopes: tuple[cst.FunctionDef, cst.Module]
    ) -> bool:
        """Whether every key of the dict display, and of the displays nested in it, is a str;
        a value of unknown kind is taken as it comes, a dict whose display is elsewhere is not."""
        if isinstance(node, cst.Dict):
            for element in node.elements:
                if not isinstance(element, cst.DictElement):
                    return False  # **other: keys unknown
                key = inference.infer(element.key, scopes)
                if key is None or key.kind is not Kind.STR:
                    return False
                if not self._string_keys_only(element.value, inference, scopes):
                    return False
            return True
        if isinstance(node, cst.DictComp):
            key = inference.infer(node.key, scopes)
            return key is not None and key.kind is Kind.STR and self._string_keys_only(node.value, inference, scopes)
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            return all(self._string_keys_only(element.value, inference, scopes) for element in node.elements)
        # A dict made elsewhere (a name bound to one, dict(...)) has keys this display does not show.
        value = inference.infer(node, scopes)
        return value is None or value.kind is not Kind.DICT

    def _judge_returns(self, definition: cst.FunctionDef, inference: ValueInference) -> list[Problem]:
        nodes = inference.nodes_of(definition)
        scopes = (definition, self.module)
        judge = ResponseJudge(inference)
        problems: list[Problem] = []
        for node in nodes:
            if type(node) is cst.Return:
                if node.value is None:
                    problems.append(Problem("CF201", node, "None (a bare return)"))
                else:
                    problems.extend(judge.judge(node.value, scopes))
        return problems


class ReturnRule(Rule):
    """A rule that reports the return-value problems of its code in every entry function."""

    entry_modules_only = True

    def visit_Module(self, node: cst.Module) -> None:
        for found in self.file.analysis(ReturnAnalysis).problems(self.file):
            if found.problem.code == self.code:
                fix = Replace(found.problem.node, found.replacement) if found.replacement is not None else None
                self.report(found.problem.node, function=found.function, detail=found.problem.detail, fix=fix)
