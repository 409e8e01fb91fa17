"""Return forms of an entry function, each with the codes CF201-CF207 give it, checked two ways:
by linting every form through the real CLI, and, for the forms that run as written, by
serving the function with Flask 3.1 and seeing whether the response fails."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
import pytest
from flask import Flask

from cflint.analysis.traversal import Walker
from cflint.project import FileContext
from cflint.rule import ParsedFile
from cflint.rule.returns import ReturnAnalysis
from cflint.settings.config import Settings
from tests.helpers import GUIDE_FIXTURES, CliResult, run_subprocess, serve, write_files

Cflint = Callable[..., CliResult]

RETURN_CODES = ("CF201", "CF202", "CF203", "CF204", "CF205", "CF206", "CF207")
FAILING_CODES = frozenset({"CF201", "CF203", "CF204", "CF205", "CF206"})
PRELUDE = """\
import contextlib
import json
import sys
from http import HTTPStatus
from typing import NoReturn

from flask import abort, jsonify, make_response, redirect, request
"""


@dataclass(frozen=True)
class Form:
    id: str
    body: str  # the body of `def main():`, or with `module=True` a whole module after the prelude
    codes: tuple[str, ...] = ()
    runs: bool = True  # serving it with no query string takes the path the codes are about
    module: bool = False

    @property
    def source(self) -> str:
        if self.module:
            return PRELUDE + "\n" + textwrap.dedent(self.body)
        return PRELUDE + "\n\ndef main():\n" + textwrap.indent(textwrap.dedent(self.body), "    ")


FORMS = [
    # Good: the documented shapes, and what cannot be judged.
    Form("str", 'return "hello"'),
    Form("dict", 'return {"a": 1, "b": [1, None, True]}'),
    Form("fstring", 'name = "World"\nreturn f"Hello, {name}!"'),
    Form("str_call", "return str(42)"),
    Form("dict_call", "return dict(a=1)"),
    Form("int_keys", 'return {1: "a", 2: "b"}'),
    Form("body_status", 'return "created", 201'),
    Form("dict_status", 'return {"error": "bad"}, 400'),
    Form("status_str", 'return "created", "201 CREATED"'),
    Form("status_http", 'return "created", HTTPStatus.CREATED'),
    Form("status_none_ignored", 'return "x", None'),
    Form("body_headers_dict", 'return "x", {"X-A": "b"}'),
    Form("body_headers_pairs", 'return "x", [("X-A", "b")]'),
    Form("three_tuple", 'return "x", 200, {"X-A": "b"}'),
    Form("tuple_via_name", 'response = ("x", 201)\nreturn response'),
    Form("unknown_value", 'return request.args.get("name")', runs=False),
    Form("rebound_name", 'body = None\nif request.args:\n    body = "x"\nreturn body', runs=False),
    Form("unknown_call", "return compute()", runs=False),
    Form("tuple_call", 'return tuple(["created", 201])'),
    Form(
        "module_tuple",
        """
        body = "created"
        CREATED = (body, 201)

        def main():
            body = None
            print(body)
            return CREATED
        """,
        module=True,
    ),
    Form("if_else", 'if request.args:\n    return "a"\nelse:\n    return "b"'),
    Form("while_true", 'while True:\n    return "x"'),
    Form("try_finally_return", 'try:\n    return "x"\nfinally:\n    print("done")'),
    Form("return_in_finally", "try:\n    value = 1\nfinally:\n    return str(value)"),
    Form("try_except_both_return", 'try:\n    return str(1 / 0)\nexcept ZeroDivisionError:\n    return "no", 400'),
    Form(
        "match_wildcard",
        'match request.method:\n    case "POST":\n        return "post"\n    case _:\n        return "other"',
    ),
    Form("abort_at_end", 'if request.args:\n    return "x"\nabort(404)'),
    Form(
        "abort_alias",
        """
        from flask import abort as stop

        def main():
            if request.args:
                return "x"
            stop(403)
        """,
        module=True,
    ),
    Form("sys_exit_at_end", 'if request.args:\n    return "x"\nsys.exit(1)', runs=False),
    Form("raise_at_end", 'if request.args:\n    return "x"\nraise ValueError("no")', runs=False),
    Form(
        "noreturn_helper",
        """
        def fail() -> NoReturn:
            raise ValueError("no")

        def main():
            if request.args:
                return "x"
            fail()
        """,
        module=True,
        runs=False,
    ),
    Form(
        "raising_helper",
        """
        def fail():
            raise ValueError("no")

        def main():
            if request.args:
                return "x"
            fail()
        """,
        module=True,
        runs=False,
    ),
    Form("nested_def_returns_none", 'def inner():\n    return None\ninner()\nreturn "ok"'),
    Form("nested_lambda_none", 'callback = lambda: None\ncallback()\nreturn "ok"'),
    Form("nested_class", 'class Box:\n    def get(self):\n        return\nreturn "ok"'),
    Form(
        "shadowed_print",
        """
        def print(text):
            return text

        def main():
            return print("x")
        """,
        module=True,
    ),
    Form("shadowed_json", "json = request.args\nreturn json.dumps()", runs=False),
    Form(
        "exit_import_alias",
        """
        from sys import exit as leave

        def main():
            if request.args:
                return "x"
            leave(1)
        """,
        module=True,
        runs=False,
    ),
    Form("while_else_returns", 'while request.args:\n    break\nelse:\n    return "none"\nreturn "some"'),
    # Served only where the running Python has except* (3.11+); linted everywhere.
    Form(
        "try_star",
        'try:\n    return str(1 / 0)\nexcept* ZeroDivisionError:\n    pass\nreturn "fallback"',
        runs=sys.version_info >= (3, 11),
    ),
    Form(
        "recursive_helpers",
        """
        def ping(n):
            return pong(n)

        def pong(n):
            return ping(n)

        def main():
            return ping(1)
        """,
        module=True,
        runs=False,
    ),
    Form(
        "wsgi_app_returned",
        """
        def app(environ, start_response):
            start_response("200 OK", [])
            return [b"wsgi"]

        def main():
            return app
        """,
        module=True,
    ),
    Form(
        "module_constant",
        """
        MESSAGE = {"message": "hello"}

        def main():
            return MESSAGE
        """,
        module=True,
    ),
    # CF201: not a response.
    Form("none", "return None", ("CF201",)),
    Form("bare_return", "return", ("CF201",)),
    Form("int", "return 42", ("CF201",)),
    Form("bool", "return True", ("CF201",)),
    Form("float_arith", "return 1 / 2", ("CF201",)),
    Form("set", "return {1, 2}", ("CF201",)),
    Form("range", "return range(3)", ("CF201",)),
    Form("dict_keys", 'return {"a": 1}.keys()', ("CF201",)),
    Form("dict_items_via_name", 'data = {"a": 1}\nreturn data.items()', ("CF201",)),
    Form("builtin_class", "return str", ("CF201",)),
    Form("builtin_function", "return print", ("CF201",)),
    Form("builtin_in_dict", 'return {"a": print}', ("CF206",)),
    Form("range_in_dict", 'return {"a": range(2)}', ("CF206",)),
    Form("tuple_of_numbers", "return tuple([1, 2])", ("CF205", "CF206")),
    Form("tuple_call_four", 'return tuple(["a", 200, {}, 1])', ("CF204",)),
    Form("dict_copy", 'return {"a": 1}.copy()'),
    Form("list_of_keys", 'return list({"a": 1}.keys())', ("CF202",)),
    Form("shadowed_builtin", "def str():\n    return 'x'\nreturn str()"),
    Form("function_object", "return main", ("CF201",)),
    Form("lambda", 'return lambda: "x"', ("CF201",)),
    Form("print", 'return print("x")', ("CF201",)),
    Form("list_append", "items = []\nreturn items.append(1)", ("CF201",)),
    Form("dict_update", "data = {}\nreturn data.update(a=1)", ("CF201",)),
    Form("json_dump", "return json.dump({}, sys.stdout)", ("CF201",)),
    Form("name_is_none", "body = None\nreturn body", ("CF201",)),
    Form(
        "helper_returns_nothing",
        """
        def log(message):
            print(message)

        def main():
            return log("x")
        """,
        ("CF201",),
        module=True,
    ),
    Form("ifexp_none", 'return "x" if request.args else None', ("CF201",)),
    Form("none_in_try_finally", 'try:\n    return None\nfinally:\n    print("done")', ("CF201",)),
    Form(
        "module_none_constant",
        """
        RESULT = None

        def main():
            return RESULT
        """,
        ("CF201",),
        module=True,
    ),
    Form(
        "global_rebound_constant",
        """
        RESULT = None

        def setup():
            global RESULT
            RESULT = "ready"

        def main():
            setup()
            return RESULT
        """,
        module=True,
    ),
    # CF202: valid Flask, undocumented shape.
    Form("list", "return [1, 2]", ("CF202",)),
    Form("bytes", 'return b"x"', ("CF202",)),
    Form("generator_expression", 'return (c for c in "ab")', ("CF202",)),
    Form("generator_function", 'yield "a"\nyield "b"', ("CF202",)),
    Form("jsonify", "return jsonify(a=1)", ("CF202",)),
    Form("jsonify_status", "return jsonify(a=1), 201", ("CF202",)),
    Form("make_response", 'return make_response("x", 201)', ("CF202",)),
    Form("redirect", 'return redirect("/x")', ("CF202",)),
    # CF203: falls off the end.
    Form("if_without_else", 'if request.args:\n    return "x"', ("CF203",)),
    Form("pass", "pass", ("CF203",)),
    Form("except_only_logs", 'try:\n    return str(1 / 0)\nexcept ZeroDivisionError:\n    print("oops")', ("CF203",)),
    Form("for_loop", "for name in request.args:\n    return name", ("CF203",)),
    Form("while_true_break", "while True:\n    break", ("CF203",)),
    Form("match_no_wildcard", 'match request.method:\n    case "POST":\n        return "x"', ("CF203",)),
    Form("suppress", "with contextlib.suppress(ZeroDivisionError):\n    return str(1 / 0)", ("CF203",)),
    Form(
        "local_abort",
        """
        def abort(code):
            print(code)

        def main():
            if request.args:
                return "x"
            abort(403)
        """,
        ("CF203",),
        module=True,
    ),
    # CF204: malformed tuples.
    Form("empty_tuple", "return ()", ("CF204",)),
    Form("one_tuple", 'return ("x",)', ("CF204",)),
    Form("four_tuple", 'return "x", 200, {}, 1', ("CF204",)),
    Form("float_status", 'return "x", 200.0', ("CF204",)),
    Form("bool_status", 'return "x", True', ("CF204",)),
    Form("word_status", 'return "x", "OK"', ("CF204",)),
    Form("empty_status", 'return "x", ""', ("CF204",)),
    Form("status_in_tuple", 'return "x", (200,)', ("CF204",)),
    Form("status_in_list", 'return "x", [200]', ("CF204",)),
    Form("int_headers", 'return "x", 200, 5', ("CF204",)),
    Form("malformed_via_name", 'response = ("x", (201,))\nreturn response', ("CF204",)),
    # CF205: status out of range.
    Form("status_999", 'return "x", 999', ("CF205",)),
    Form("status_42", 'return {"a": 1}, 42', ("CF205",)),
    Form("status_str_999", 'return "x", "999 WHATEVER"', ("CF205",)),
    # CF206: bodies that cannot be sent.
    Form("none_body", "return None, 200", ("CF206",)),
    Form("int_body", "return 5, 200", ("CF206",)),
    Form("set_in_dict", 'return {"a": {1}}', ("CF206",)),
    Form("bytes_in_dict", 'return {"a": b"x"}', ("CF206",)),
    Form("mixed_keys", 'return {"a": 1, 2: "b"}', ("CF206",)),
    Form("set_in_body", 'return {"a": {1}}, 200', ("CF206",)),
    Form("set_name_in_list", 'tags = {"a"}\nreturn [tags]', ("CF202", "CF206")),
    # CF206: exception objects as bodies.
    Form("caught_in_tuple", "try:\n    return str(1 / 0)\nexcept Exception as e:\n    return e, 500", ("CF206",)),
    Form(
        "caught_in_parens",
        "try:\n    return str(1 / 0)\nexcept ZeroDivisionError as e:\n    return (e, 500)",
        ("CF206",),
    ),
    Form("caught_alone", "try:\n    return str(1 / 0)\nexcept ArithmeticError as e:\n    return e", ("CF206",)),
    Form(
        "caught_in_dict",
        'try:\n    return str(1 / 0)\nexcept ZeroDivisionError as ce:\n    return {"error": ce}',
        ("CF206",),
    ),
    Form(
        "caught_in_list",
        "try:\n    return str(1 / 0)\nexcept ZeroDivisionError as e:\n    return [e]",
        ("CF202", "CF206"),
    ),
    Form(
        "caught_via_name",
        'try:\n    return str(1 / 0)\nexcept ZeroDivisionError as e:\n    error = e\n    return {"error": error}, 400',
        ("CF206",),
    ),
    Form(
        "caught_by_two_clauses",
        "try:\n    return str(1 / 0)\nexcept KeyError as e:\n    return e, 400\nexcept (ValueError, ZeroDivisionError) as e:\n    return e, 500",
        ("CF206", "CF206"),
    ),
    Form("exception_instance", 'return ValueError("bad"), 400', ("CF206",)),
    Form(
        "local_exception_class",
        """
        class AppError(Exception):
            pass

        class NotReady(AppError):
            pass

        def main():
            return {"error": NotReady("later")}, 503
        """,
        ("CF206",),
        module=True,
    ),
    Form(
        "library_exception_in_dict",
        """
        from json import JSONDecodeError, loads

        def main():
            try:
                return loads("{")
            except JSONDecodeError as error:
                return {"error": error}, 400
        """,
        ("CF206",),
        module=True,
    ),
    Form(
        "http_exception_in_dict",
        """
        from werkzeug.exceptions import HTTPException

        def main():
            try:
                abort(404)
            except HTTPException as e:
                return {"error": e}, 404
        """,
        ("CF206",),
        module=True,
    ),
    # An exception passed into a helper that returns it: every caller passes one.
    Form(
        "caught_passed_into_a_helper",
        """
        def _error(err):
            return {"error": err}, 500

        def _fail(err, status=500):
            return err, status

        def main():
            try:
                return str(1 / 0)
            except ZeroDivisionError as e:
                if request.args.get("plain"):
                    return _fail(e)
                return _error(e)
        """,
        ("CF206", "CF206"),
        module=True,
    ),
    Form(
        "helper_passed_an_exception_and_a_str",
        """
        def _error(err):
            return {"error": err}, 500

        def main():
            if request.args.get("x"):
                return _error("bad x")
            try:
                return str(1 / 0)
            except ZeroDivisionError as e:
                return _error(e)
        """,
        runs=False,
        module=True,
    ),
    Form(
        "helper_passed_along",
        """
        def _error(err):
            return {"error": err}, 500

        HANDLERS = [_error]

        def main():
            try:
                return str(1 / 0)
            except ZeroDivisionError as e:
                return _error(e)
        """,
        runs=False,
        module=True,
    ),
    Form("caught_message", "try:\n    return str(1 / 0)\nexcept Exception as e:\n    return str(e), 500"),
    Form(
        "caught_http_exception",
        """
        from werkzeug.exceptions import HTTPException

        def main():
            try:
                abort(404)
            except HTTPException as e:
                return e
        """,
        module=True,
    ),
    Form(
        "caught_http_exception_with_status",
        """
        from werkzeug.exceptions import NotFound

        def main():
            try:
                abort(404)
            except (NotFound, ValueError) as e:
                return e, 404
        """,
        module=True,
    ),
    Form(
        "caught_exception_of_own_abort",
        """
        from werkzeug.exceptions import NotFound

        def main():
            try:
                if request.args:
                    raise NotFound()
                abort(404)
            except Exception as e:
                return e, 500
        """,
        module=True,
    ),
    Form("caught_unknown_class", "try:\n    return str(1 / 0)\nexcept ERRORS as e:\n    return e, 500", runs=False),
    Form(
        "exception_name_rebound",
        'e = "fallback"\ntry:\n    return str(1 / 0)\nexcept ZeroDivisionError as e:\n    return e, 500',
        runs=False,
    ),
    Form("unknown_class_instance", 'return Problem("bad"), 400', runs=False),
    # CF207: json.dumps text.
    Form("json_dumps", 'return json.dumps({"a": 1})', ("CF207",)),
    Form("json_dumps_status", 'return json.dumps({"a": 1}), 400', ("CF207",)),
    Form(
        "json_alias",
        """
        import json as j

        def main():
            return j.dumps({"a": 1})
        """,
        ("CF207",),
        module=True,
    ),
    Form(
        "dumps_imported",
        """
        from json import dumps

        def main():
            return dumps({"a": 1}), 201
        """,
        ("CF207",),
        module=True,
    ),
    Form("json_dumps_name", 'text = json.dumps({"a": 1})\nreturn text', ("CF207",)),
    # Through calls: `return helper(...)` judged by what every return of the helper is.
    Form(
        "helper_jsonify",
        """
        def _get_stats(es):
            total = len(es)
            return jsonify(total=total)

        def main():
            return _get_stats([])
        """,
        ("CF202",),
        module=True,
    ),
    Form(
        "helper_prints",
        """
        def _report(es):
            print("report", es)

        def main():
            return _report([])
        """,
        ("CF201",),
        module=True,
    ),
    Form(
        "helper_status",
        """
        def _busy():
            if request.args:
                return "slow down", 999
            return "busy", 1000

        def main():
            return _busy()
        """,
        ("CF205",),
        module=True,
    ),
    Form(
        "helper_tuple_length",
        """
        def _answer():
            return "ok", 200, {}, "extra"

        def main():
            return _answer()
        """,
        ("CF204",),
        module=True,
    ),
    Form(
        "helper_none_body",
        """
        def _cached():
            return None, 200

        def main():
            return _cached()
        """,
        ("CF206",),
        module=True,
    ),
    Form(
        "helper_two_levels",
        """
        def _inner():
            return jsonify(ok=True)

        def _outer():
            return _inner()

        def main():
            return _outer()
        """,
        ("CF202",),
        module=True,
    ),
    Form(
        "helper_method",
        """
        class Service:
            def stats(self):
                return jsonify(count=1)

        service = Service()

        def main():
            return service.stats()
        """,
        ("CF202",),
        module=True,
    ),
    Form(
        "helper_mixed",
        """
        def _either():
            if request.args:
                return jsonify(ok=True)
            return {"ok": False}

        def main():
            return _either()
        """,
        module=True,
    ),
    Form(
        "helper_may_fall_through",
        """
        def _maybe():
            if request.args:
                return jsonify(ok=True)
            print("nothing")

        def main():
            return _maybe()
        """,
        runs=False,
        module=True,
    ),
    Form(
        "helper_recursive",
        """
        def _retry(n):
            if n:
                return _retry(n - 1)
            return "done"

        def main():
            return _retry(2)
        """,
        module=True,
    ),
    Form(
        "helper_decorated",
        """
        import functools

        @functools.lru_cache
        def _cached():
            return jsonify(ok=True)

        def main():
            return _cached()
        """,
        runs=False,
        module=True,
    ),
    # Decorated entries: judged as plain functions when every decorator keeps the result.
    Form(
        "functions_framework_http",
        """
        import functions_framework

        @functions_framework.http
        def main():
            return jsonify(ok=True)
        """,
        ("CF202",),
        module=True,
        runs=False,
    ),
    Form(
        "functions_framework_cloud_event",
        """
        from functions_framework import cloud_event

        @cloud_event
        def main() -> None:
            print("event")
        """,
        ("CF203",),
        module=True,
        runs=False,
    ),
    Form(
        "registration_decorator",
        """
        HANDLERS = {}

        def register(fn):
            HANDLERS[fn.__name__] = fn
            return fn

        @register
        def main():
            return None
        """,
        ("CF201",),
        module=True,
    ),
    Form(
        "decorator_factory",
        """
        ROUTES = {}

        def route(path):
            def decorate(fn):
                ROUTES[path] = fn
                return fn

            return decorate

        @route("/")
        def main():
            return 42
        """,
        ("CF201",),
        module=True,
    ),
    Form(
        "wraps_wrapper",
        """
        import functools

        def logged(fn):
            @functools.wraps(fn)
            def wrapper(*args, **kwargs):
                print("called")
                return fn(*args, **kwargs)

            return wrapper

        @logged
        def main():
            return {"tags": {"a"}}
        """,
        ("CF206",),
        module=True,
    ),
    Form(
        "wraps_wrapper_result_name",
        """
        from functools import wraps

        def timed(fn):
            @wraps(fn)
            def wrapper(*args, **kwargs):
                result = fn(*args, **kwargs)
                print("done")
                return result

            return wrapper

        @timed
        @wraps(print)
        def main():
            return "x", 999
        """,
        ("CF205",),
        module=True,
    ),
    Form(
        "stacked_transparent",
        """
        def register(fn):
            return fn

        def logged(fn):
            def wrapper():
                return fn()

            return wrapper

        @register
        @logged
        def main():
            if request.args:
                return "x"
        """,
        ("CF203",),
        module=True,
    ),
    Form(
        "wrapper_changes_result",
        """
        def upper(fn):
            def wrapper():
                return str(fn())

            return wrapper

        @upper
        def main():
            return None
        """,
        module=True,
    ),
    Form(
        "wrapper_catches",
        """
        import functools

        def safe(fn):
            @functools.wraps(fn)
            def wrapper(*args, **kwargs):
                try:
                    return fn(*args, **kwargs)
                except Exception:
                    return "error", 500

            return wrapper

        @safe
        def main():
            return "ok", 999
        """,
        module=True,
        runs=False,
    ),
    Form(
        "wrapper_passes_other_arguments",
        """
        def with_user(fn):
            def wrapper(*args, **kwargs):
                return fn("admin", *args, **kwargs)

            return wrapper

        @with_user
        def main(user=None):
            return None
        """,
        module=True,
        runs=False,
    ),
    Form(
        "decorator_rebinds_its_parameter",
        """
        def swap(fn):
            fn = print
            return fn

        @swap
        def main():
            return "x", 999
        """,
        module=True,
        runs=False,
    ),
    Form(
        "opaque_decorator",
        """
        import functools

        @functools.lru_cache
        def main():
            return None
        """,
        module=True,
        runs=False,
    ),
]


@pytest.fixture(scope="module")
def linted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Codes per form, from one run of the CLI over a folder holding one function per form."""
    root = tmp_path_factory.mktemp("forms")
    write_files(root, {f"{form.id}/user.py": form.source for form in FORMS})
    result = run_subprocess("--select", ",".join(RETURN_CODES), "--color", "never", "-q", ".", cwd=root)
    assert result.code in (0, 1), result.err
    found: dict[str, list[str]] = {form.id: [] for form in FORMS}
    for line, code in zip(result.lines, result.codes, strict=True):
        found[line.split("/", 1)[0]].append(code)
    return found


def test_table_is_large_and_covers_every_rule() -> None:
    assert len(FORMS) >= 40
    assert len({form.id for form in FORMS}) == len(FORMS)
    assert {code for form in FORMS for code in form.codes} == set(RETURN_CODES)


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.id)
def test_form_gets_its_codes(form: Form, linted: dict[str, list[str]]) -> None:
    assert sorted(linted[form.id]) == sorted(form.codes), form.source


def _serve(source: str) -> tuple[BaseException | None, int]:
    """Serve the form's `main` with Flask: the exception it raised, or None, and the status code."""
    namespace: dict[str, object] = {"__name__": "form"}
    exec(compile(source, "user.py", "exec"), namespace)  # the table's own code, not a user's
    app = Flask("form")
    app.testing = True
    app.add_url_rule("/", "main", namespace["main"])
    try:
        response = app.test_client().get("/")
    except Exception as error:
        return error, 0
    return None, response.status_code


@pytest.mark.parametrize("form", [f for f in FORMS if f.runs], ids=lambda f: f.id)
def test_flask_agrees(form: Form) -> None:
    """A form with a failing code fails in Flask (an exception, or a status outside 100..599);
    any other form is served."""
    error, status = _serve(form.source)
    fails = error is not None or not 100 <= status <= 599
    assert fails == bool(FAILING_CODES & set(form.codes)), (error, status)


def test_guide_examples_are_clean(cflint: Cflint, tmp_path: Path) -> None:
    for fixture in GUIDE_FIXTURES.glob("*.py"):
        target = "handlers.py" if fixture.stem == "handlers" else "user.py"
        write_files(tmp_path / fixture.stem, {target: fixture.read_text(encoding="utf-8")})
    entry_points = "user.main,handlers.get_user,handlers.create_user,handlers.update_user"
    result = cflint("--select", "CF2", "--entry-points", entry_points, "--color", "never", ".", cwd=tmp_path)
    assert (result.code, result.out.strip()) == (0, ""), result.out + result.err
    assert len(list(tmp_path.iterdir())) >= 9
    handlers = (GUIDE_FIXTURES / "handlers.py").read_text(encoding="utf-8")
    broken = handlers.replace("return json.dumps({'message': 'User created'}", "json.dumps({'message': 'User created'}")
    assert broken != handlers
    write_files(tmp_path / "handlers", {"handlers.py": broken})
    result = cflint("--select", "CF2", "--entry-points", entry_points, "--color", "never", ".", cwd=tmp_path)
    assert result.codes == ["CF203"], result.out + result.err


def test_cf207_flags_the_guide_when_enabled(cflint: Cflint, tmp_path: Path) -> None:
    write_files(tmp_path, {"user.py": (GUIDE_FIXTURES / "get_request.py").read_text(encoding="utf-8")})
    result = cflint("--select", "CF2", "--extend-select", "CF207", "--color", "never", ".", cwd=tmp_path)
    assert result.codes == ["CF207", "CF207"], result.out


def _lint_one(cflint: Cflint, tmp_path: Path, source: str, *args: str) -> CliResult:
    write_files(tmp_path, {"user.py": source})
    return cflint("--select", ",".join(RETURN_CODES), "--color", "never", *args, ".", cwd=tmp_path)


def test_fall_through_line_is_in_the_message(cflint: Cflint, tmp_path: Path) -> None:
    result = _lint_one(
        cflint,
        tmp_path,
        'from flask import request\n\ndef main():\n    if request.args:\n        return "x"\n    print("no")\n',
    )
    assert result.lines == [
        "user.py:3:5: CF203 entry function 'main' can end without returning (control falls off the end after "
        "line 6); Flask then fails with 'did not return a valid response'"
    ]


def test_only_entry_functions_are_checked(cflint: Cflint, tmp_path: Path) -> None:
    result = _lint_one(cflint, tmp_path, "def helper():\n    return None\n\ndef main():\n    return helper() or 'x'\n")
    assert result.out == ""
    result = _lint_one(cflint, tmp_path, "def handler():\n    return None\n", "--entry-points", "user.handler")
    assert result.codes == ["CF201"]


def test_opaque_decorators_and_async_entries_are_not_judged(cflint: Cflint, tmp_path: Path) -> None:
    source = "from mylib import magic\n\n@magic\ndef main():\n    return None\n"
    assert _lint_one(cflint, tmp_path, source).out == ""
    assert _lint_one(cflint, tmp_path, "async def main():\n    return None\n").out == ""


def test_every_definition_of_a_conditionally_defined_entry_is_checked(cflint: Cflint, tmp_path: Path) -> None:
    source = "import sys\n\nif sys.version_info >= (3, 12):\n    def main():\n        return 1\nelse:\n    def main():\n        return None\n"
    assert _lint_one(cflint, tmp_path, source).codes == ["CF201", "CF201"]


def test_long_elif_chains_and_deep_displays_do_not_break_the_analysis() -> None:
    """The analysis itself recurses on none of these (positions, made by LibCST, are not part of it)."""
    branches = "".join(f"    elif request.args.get('k') == '{i}':\n        return '{i}'\n" for i in range(1500))
    chain = (
        "def main():\n    if request.args.get('k') == 'x':\n        return 'x'\n"
        + branches
        + "    else:\n        return 'y'\n"
    )
    choices = " if request.args else ".join(["'a'"] * 1500)
    nested = "[" * 300 + "{1}" + "]" * 300
    source = (
        chain + f"\ndef other():\n    return {choices} if request.args else None\n\ndef deep():\n    return {nested}\n"
    )
    module = cst.parse_module("from flask import request\n\n" + source)
    walker = Walker()
    context = FileContext(Path("user.py"), "user.py", Settings(), entry_functions=frozenset({"main", "other", "deep"}))
    found = ReturnAnalysis(module, walker).problems(ParsedFile(context, source, module, walker))
    assert [(f.function, f.problem.code) for f in found] == [("deep", "CF202"), ("other", "CF201")]


def test_exception_body_fix_sends_the_message(cflint: Cflint, tmp_path: Path) -> None:
    """Before the fix Flask answers its own 500 page (the view's TypeError); after it, the message."""
    source = (
        "def main():\n    try:\n        return str(1 / 0)\n    except ZeroDivisionError as error:\n"
        '        return {"error": error}, 400\n'
    )
    write_files(tmp_path, {"user.py": source})
    before = serve(tmp_path)
    assert (before.status, "Internal Server Error" in before.body) == (500, True)
    result = cflint("--select", "CF206", "--fix", "--unsafe-fixes", "--color", "never", ".", cwd=tmp_path)
    assert result.code == 0, result.out + result.err
    assert 'return {"error": str(error)}, 400' in (tmp_path / "user.py").read_text(encoding="utf-8")
    after = serve(tmp_path)
    assert (after.status, after.body.strip()) == (400, '{"error":"division by zero"}')


def test_exception_returned_alone_is_fixed_to_its_message_and_500(cflint: Cflint, tmp_path: Path) -> None:
    source = "def main():\n    try:\n        return str(1 / 0)\n    except ZeroDivisionError as error:\n        return error\n"
    write_files(tmp_path, {"user.py": source})
    result = cflint("--select", "CF206", "--fix", "--unsafe-fixes", "--color", "never", ".", cwd=tmp_path)
    assert result.code == 0, result.out + result.err
    assert "return (str(error), 500)" in (tmp_path / "user.py").read_text(encoding="utf-8")
    assert (serve(tmp_path).status, serve(tmp_path).body) == (500, "division by zero")


def test_no_exception_fix_where_str_is_not_the_builtin(cflint: Cflint, tmp_path: Path) -> None:
    source = "def str(x):\n    return x\n\ndef main():\n    return ValueError('bad'), 400\n"
    result = _lint_one(cflint, tmp_path, source)
    assert result.codes == ["CF206"]
    assert "fix" not in result.out
