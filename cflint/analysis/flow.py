"""Can control reach the end of a block? A structural analysis of Python statements.

`ControlFlow.block(statements)` gives an `Outcome`: the statement through which control
can leave the block normally (None when it cannot), and whether a `break` or `continue`
can leave it. It understands if/elif/else, loops with `else`, `while True`, try/except/
else/finally (also `except*`), with (a `contextlib.suppress` block can swallow a `return`'s
exception), match (an irrefutable case covers the rest), return, raise, `assert False`, and
calls the caller says never return. Any statement not understood completes normally.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import libcst as cst

from cflint.analysis.literals import string_value
from cflint.record import Record

Statement = cst.BaseStatement | cst.BaseSmallStatement


class Outcome(Record, frozen=True):
    """How control leaves a statement: where it falls through (if it can), and whether a `break` leaves it."""

    falls_through: cst.CSTNode | None  # where control leaves normally; None: it cannot
    breaks: bool = False

    def __or__(self, other: Outcome) -> Outcome:
        return Outcome(
            self.falls_through if self.falls_through is not None else other.falls_through,
            self.breaks or other.breaks,
        )


_NEVER = Outcome(None)


def constant_truth(test: cst.BaseExpression) -> bool | None:
    """The truth of a condition that is a literal constant; None when it depends on the run."""
    if isinstance(test, cst.Name) and test.value in ("True", "False", "None"):
        return test.value == "True"
    if isinstance(test, cst.Integer):
        return test.evaluated_value != 0
    value = string_value(test)
    return None if value is None else bool(value)


def _is_irrefutable(pattern: cst.MatchPattern) -> bool:
    if isinstance(pattern, cst.MatchAs):
        return pattern.pattern is None or _is_irrefutable(pattern.pattern)
    if isinstance(pattern, cst.MatchOr):
        return any(_is_irrefutable(element.pattern) for element in pattern.patterns)
    return False


def _suite(block: cst.BaseSuite) -> Sequence[Statement]:
    return block.body


class ControlFlow:
    """Control-flow outcomes of statements; `stops(call)` says a call never returns,
    `suppresses(item)` that a `with` item can swallow exceptions."""

    def __init__(self, stops: Callable[[cst.Call], bool], suppresses: Callable[[cst.WithItem], bool]) -> None:
        self._stops = stops
        self._suppresses = suppresses

    def block(self, statements: Sequence[Statement]) -> Outcome:
        breaks = False
        last: cst.CSTNode | None = None
        for statement in statements:
            outcome = self.statement(statement)
            breaks |= outcome.breaks
            if outcome.falls_through is None:
                return Outcome(None, breaks)
            last = outcome.falls_through
        return Outcome(last, breaks)

    def statement(self, statement: Statement) -> Outcome:
        if isinstance(statement, cst.SimpleStatementLine):
            inner = self.block(statement.body)
            return Outcome(statement if inner.falls_through is not None else None, inner.breaks)
        if isinstance(statement, cst.BaseSmallStatement):
            return self._small(statement)
        if isinstance(statement, cst.If):
            return self._if(statement)
        if isinstance(statement, (cst.While, cst.For)):
            return self._loop(statement)
        if isinstance(statement, (cst.Try, cst.TryStar)):
            return self._try(statement)
        if isinstance(statement, cst.With):
            return self._with(statement)
        if isinstance(statement, cst.Match):
            return self._match(statement)
        return Outcome(statement)  # def, class: binding a name completes normally

    def _small(self, statement: cst.BaseSmallStatement) -> Outcome:
        if isinstance(statement, (cst.Return, cst.Raise)):
            return _NEVER
        if isinstance(statement, cst.Break):
            return Outcome(None, breaks=True)
        if isinstance(statement, cst.Continue):
            return _NEVER  # back to the loop's test: the loop decides
        if isinstance(statement, cst.Assert) and constant_truth(statement.test) is False:
            return _NEVER
        if isinstance(statement, cst.Expr) and isinstance(statement.value, cst.Call) and self._stops(statement.value):
            return _NEVER
        return Outcome(statement)

    def _if(self, statement: cst.If) -> Outcome:
        combined = _NEVER
        branch = statement
        while True:  # along the elif chain without recursion: chains can be long
            truth = constant_truth(branch.test)
            if truth is not False:
                combined = combined | self.block(_suite(branch.body))
            if truth is True:
                return combined
            orelse = branch.orelse
            if orelse is None:
                return combined | Outcome(branch)
            if not isinstance(orelse, cst.If):
                return combined | self.block(_suite(orelse.body))
            branch = orelse

    def _loop(self, statement: cst.While | cst.For) -> Outcome:
        always = isinstance(statement, cst.While) and constant_truth(statement.test) is True
        never = isinstance(statement, cst.While) and constant_truth(statement.test) is False
        body = _NEVER if never else self.block(_suite(statement.body))
        if always:
            ends = _NEVER  # the condition never turns false, so `else` never runs
        elif statement.orelse is not None:
            ends = Outcome(statement) if self.block(_suite(statement.orelse.body)).falls_through else _NEVER
        else:
            ends = Outcome(statement)
        if body.breaks:
            ends = Outcome(statement)
        return Outcome(ends.falls_through)

    def _try(self, statement: cst.Try | cst.TryStar) -> Outcome:
        body = self.block(_suite(statement.body))
        if statement.orelse is not None and body.falls_through is not None:
            orelse = self.block(_suite(statement.orelse.body))
            body = Outcome(orelse.falls_through, body.breaks or orelse.breaks)
        combined = body
        for handler in statement.handlers:
            combined = combined | self.block(_suite(handler.body))
        if statement.finalbody is None:
            return combined
        final = self.block(_suite(statement.finalbody.body))
        if final.falls_through is None:
            return final  # whatever the body did, the finally block decides
        falls = final.falls_through if combined.falls_through is not None else None
        return Outcome(falls, combined.breaks or final.breaks)

    def _with(self, statement: cst.With) -> Outcome:
        body = self.block(_suite(statement.body))
        if body.falls_through is None and any(self._suppresses(item) for item in statement.items):
            return body | Outcome(statement)
        return body

    def _match(self, statement: cst.Match) -> Outcome:
        combined = _NEVER
        covered = False
        for case in statement.cases:
            combined = combined | self.block(_suite(case.body))
            covered = covered or (case.guard is None and _is_irrefutable(case.pattern))
        return combined if covered else combined | Outcome(statement)
