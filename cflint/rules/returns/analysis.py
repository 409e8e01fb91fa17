"""The return-value findings of entry functions, computed once per file for CF201-CF207.

An entry function's own `return` statements (not those of functions, lambdas or classes
nested in it) are judged by `ResponseJudge`; whether it can run off its end is decided by
the control-flow analysis. Decorated and `async` entry functions are skipped: what the
runtime gets from them is not what their `return` statements say.
"""

from __future__ import annotations

from msgspec import Struct

import libcst as cst

from cflint.analysis.entry import effective_definitions
from cflint.analysis.kinds import Kind, ValueInference, is_generator
from cflint.analysis.scopes import Scopes
from cflint.engine.traversal import Walker
from cflint.fix.proposal import Replace
from cflint.rule import LineOf, ParsedFile, Rule
from cflint.rules.returns.responses import Problem, ResponseJudge

_GENERATOR = "a generator (it is a generator function)"


# json.dumps arguments that change only the text's layout, which Flask then chooses.
_LAYOUT_KEYWORDS = frozenset({"ensure_ascii", "indent", "separators", "sort_keys"})


class EntryProblem(Struct, frozen=True):
    """A problem with what an entry function returns, and CF207's replacement."""

    function: str
    problem: Problem
    replacement: cst.BaseExpression | None = None  # CF207's fix: the dict json.dumps was given


class ReturnAnalysis:
    """Problems of the entry functions of one module; use it through `ParsedFile.analysis`."""

    def __init__(self, module: cst.Module, walker: Walker) -> None:
        self.module = module
        self.walker = walker
        self._found: tuple[EntryProblem, ...] | None = None

    def problems(self, file: ParsedFile) -> tuple[EntryProblem, ...]:
        """Every problem of every definition of the file's entry functions, in name order."""
        if self._found is None:
            inference = ValueInference(self.walker, file.analysis(Scopes))
            self._found = tuple(self._find_all(file.context.entry_functions, inference))
        return self._found

    def _find_all(self, entry_functions: frozenset[str], inference: ValueInference) -> list[EntryProblem]:
        found: list[EntryProblem] = []
        for name in sorted(entry_functions):
            for definition in effective_definitions(inference.scopes, name):
                if definition.decorators or definition.asynchronous is not None:
                    continue
                if is_generator(inference.nodes_of(definition)):  # it may end: its caller gets a generator
                    found.append(EntryProblem(name, Problem("CF202", definition.name, _GENERATOR)))
                    continue
                found.extend(
                    EntryProblem(name, problem, self._dumped_dict(problem, inference, (definition, self.module)))
                    for problem in self._judge_returns(definition, inference)
                )
                end = inference.fall_through(definition, (definition, self.module))
                if end is not None:
                    # The engine fills in the line from the findings' single position pass.
                    found.append(EntryProblem(name, Problem("CF203", definition.name, LineOf(end))))
        return found

    @staticmethod
    def _dumped_dict(
        problem: Problem, inference: ValueInference, scopes: tuple[cst.FunctionDef, cst.Module]
    ) -> cst.BaseExpression | None:
        """For CF207 on `json.dumps(x, ...)` itself with `x` evidently a dict and no other
        argument than layout ones: `x`."""
        call = problem.node
        if problem.code != "CF207" or not isinstance(call, cst.Call) or not call.args:
            return None
        first, *others = call.args
        if first.keyword is not None or first.star or any(
            arg.keyword is None or arg.keyword.value not in _LAYOUT_KEYWORDS for arg in others
        ):
            return None
        value = inference.infer(first.value, scopes)
        if value is None or value.kind is not Kind.DICT:
            return None
        return first.value

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
