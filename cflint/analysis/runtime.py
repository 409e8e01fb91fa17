"""How the runtime loads a module: it imports it by its module name, so code under
`if __name__ == "__main__":` never runs there."""

from __future__ import annotations

import libcst as cst

from cflint.analysis.literals import literal_value


def is_main_guard(test: cst.BaseExpression) -> bool:
    """`__name__ == "__main__"`: never true when the runtime imports the module."""
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    target = test.comparisons[0]
    sides = (test.left, target.comparator)
    return (
        isinstance(target.operator, cst.Equal)
        and any(isinstance(side, cst.Name) and side.value == "__name__" for side in sides)
        and any(isinstance(side, cst.SimpleString) and literal_value(side) == "__main__" for side in sides)
    )
