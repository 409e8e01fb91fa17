"""The kinds of Python values the analyses prove (None, int, str, dict, Response...), and the
documented facts about them: which calls give which kind, which methods of a kind give which,
which calls never return, and the kind of a literal or display as written.

`cflint.analysis.inference` applies these facts to expressions.
"""

from __future__ import annotations

import builtins
import enum

import libcst as cst

from cflint.record import Record


class Kind(enum.Enum):
    NONE = "None"
    BOOL = "a bool"
    INT = "an int"
    FLOAT = "a float"
    COMPLEX = "a complex number"
    STR = "a str"
    BYTES = "bytes"
    DICT = "a dict"
    LIST = "a list"
    SET = "a set"
    TUPLE = "a tuple"
    GENERATOR = "a generator"
    RESPONSE = "a Flask Response"
    FUNCTION = "a function object"
    RANGE = "a range"
    DICT_VIEW = "a dict view"
    EXCEPTION = "an exception object"


NUMBERS = frozenset({Kind.BOOL, Kind.INT, Kind.FLOAT, Kind.COMPLEX})


class Value(Record, frozen=True):
    """What an expression is known to evaluate to, and how that is known."""

    kind: Kind
    origin: str = ""  # how the kind is known, for messages: "print() returns None"
    json_text: bool = False  # a str made by json.dumps
    # A function that can be called as (environ, start_response), or an exception that may be
    # werkzeug's HTTPException, which Flask calls so to send its error page.
    wsgi_callable: bool = False


CALL_RESULTS: dict[str, Kind] = {
    **dict.fromkeys(
        (
            "builtins.str",
            "builtins.repr",
            "builtins.format",
            "builtins.ascii",
            "builtins.chr",
            "builtins.hex",
            "builtins.oct",
            "builtins.bin",
            "flask.render_template",
            "flask.render_template_string",
        ),
        Kind.STR,
    ),
    **dict.fromkeys(("builtins.int", "builtins.len", "builtins.ord", "builtins.hash"), Kind.INT),
    "builtins.float": Kind.FLOAT,
    "builtins.complex": Kind.COMPLEX,
    **dict.fromkeys(
        (
            "builtins.bool",
            "builtins.isinstance",
            "builtins.issubclass",
            "builtins.callable",
            "builtins.hasattr",
            "builtins.all",
            "builtins.any",
        ),
        Kind.BOOL,
    ),
    "builtins.dict": Kind.DICT,
    **dict.fromkeys(("builtins.list", "builtins.sorted"), Kind.LIST),
    **dict.fromkeys(("builtins.set", "builtins.frozenset"), Kind.SET),
    "builtins.tuple": Kind.TUPLE,
    "builtins.range": Kind.RANGE,
    **dict.fromkeys(("builtins.bytes", "builtins.bytearray"), Kind.BYTES),
    **dict.fromkeys(
        (
            "builtins.print",
            "json.dump",
            "time.sleep",
            "random.shuffle",
            "random.seed",
            "pprint.pprint",
            "logging.debug",
            "logging.info",
            "logging.warning",
            "logging.error",
            "logging.exception",
            "logging.critical",
            "logging.log",
        ),
        Kind.NONE,
    ),
    **dict.fromkeys(
        (
            "flask.jsonify",
            "flask.json.jsonify",
            "flask.make_response",
            "flask.redirect",
            "flask.Response",
            "flask.wrappers.Response",
            "flask.send_file",
            "flask.send_from_directory",
            "werkzeug.utils.redirect",
            "werkzeug.Response",
            "werkzeug.wrappers.Response",
        ),
        Kind.RESPONSE,
    ),
}
JSON_TEXT_CALLS = frozenset({"json.dumps", "flask.json.dumps"})
# Methods whose result kind follows from the kind of the object they are called on.
METHOD_RESULTS: dict[Kind, dict[str, Kind]] = {
    Kind.LIST: dict.fromkeys(("append", "extend", "insert", "remove", "sort", "reverse", "clear"), Kind.NONE),
    Kind.DICT: {
        **dict.fromkeys(("update", "clear"), Kind.NONE),
        **dict.fromkeys(("keys", "values", "items"), Kind.DICT_VIEW),
        "copy": Kind.DICT,
    },
    Kind.SET: dict.fromkeys(
        (
            "add",
            "discard",
            "remove",
            "update",
            "clear",
            "difference_update",
            "intersection_update",
            "symmetric_difference_update",
        ),
        Kind.NONE,
    ),
    Kind.STR: {
        **dict.fromkeys(
            (
                "format",
                "join",
                "upper",
                "lower",
                "strip",
                "lstrip",
                "rstrip",
                "replace",
                "title",
                "capitalize",
                "casefold",
                "swapcase",
                "center",
                "ljust",
                "rjust",
                "zfill",
                "format_map",
                "removeprefix",
                "removesuffix",
                "expandtabs",
            ),
            Kind.STR,
        ),
        "encode": Kind.BYTES,
        **dict.fromkeys(("split", "rsplit", "splitlines"), Kind.LIST),
    },
}
# Calls that end the process: SystemExit (sys.exit, exit, quit) passes through Flask, which
# handles Exception alone; os._exit and os.abort end it at once and cannot be caught.
PROCESS_EXIT_CALLS = frozenset({"sys.exit", "builtins.exit", "builtins.quit", "os._exit", "os.abort"})
UNCATCHABLE_EXIT_CALLS = frozenset({"os._exit", "os.abort"})
# The classes an `except` clause catches SystemExit with (it is raised as itself).
SYSTEM_EXIT_CATCHERS = frozenset({"builtins.SystemExit", "builtins.BaseException"})
NEVER_RETURN_CALLS = PROCESS_EXIT_CALLS | frozenset(
    {
        "flask.abort",
        "werkzeug.exceptions.abort",
        "os.execv",
        "os.execve",
        "os.execl",
        "os.execle",
        "os.execlp",
        "os.execvp",
        "os.execvpe",
    }
)
NEVER_RETURN_ANNOTATIONS = frozenset(
    {
        "typing.NoReturn",
        "typing.Never",
        "typing_extensions.NoReturn",
        "typing_extensions.Never",
    }
)
SUPPRESSING_CONTEXTS = frozenset({"contextlib.suppress"})
# Builtin functions and classes, read off the running interpreter: a name that resolves to
# `builtins.x` only because nothing binds it is not one of them unless Python has it.
BUILTIN_CALLABLES = frozenset(
    name for name, value in vars(builtins).items() if callable(value) and not name.startswith("_")
)


def display_kind(node: cst.BaseExpression) -> Kind | None:
    """The kind a display or comprehension makes (`{}`, `[x for x in y]`, `(a, b)`)."""
    if isinstance(node, (cst.Dict, cst.DictComp)):
        return Kind.DICT
    if isinstance(node, (cst.List, cst.ListComp)):
        return Kind.LIST
    if isinstance(node, (cst.Set, cst.SetComp)):
        return Kind.SET
    if isinstance(node, cst.Tuple):
        return Kind.TUPLE
    if isinstance(node, cst.GeneratorExp):
        return Kind.GENERATOR
    return None


def literal_kind(node: cst.BaseExpression) -> Kind | None:
    """The kind of a literal as written (`None`, `1`, `b""`, an f-string)."""
    if isinstance(node, cst.Name):
        return {"None": Kind.NONE, "True": Kind.BOOL, "False": Kind.BOOL}.get(node.value)
    if isinstance(node, cst.Integer):
        return Kind.INT
    if isinstance(node, cst.Float):
        return Kind.FLOAT
    if isinstance(node, cst.Imaginary):
        return Kind.COMPLEX
    if isinstance(node, cst.FormattedString):
        return Kind.STR
    if isinstance(node, cst.SimpleString):
        return Kind.BYTES if "b" in node.prefix.lower() else Kind.STR
    if isinstance(node, cst.ConcatenatedString):
        return literal_kind(node.left)
    return None
