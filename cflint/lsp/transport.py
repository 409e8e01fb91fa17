"""The server's side of the stdio transport where pygls alone would go deaf or pop up errors:
the input stream finds the next message again after a wrong `Content-Length`, a message
that is not JSON-RPC gets an error reply, and a request after `shutdown` is refused."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Generator
from typing import Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInternalError, JsonRpcInvalidRequest, JsonRpcParseError
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import RPCRequest
from pygls.protocol.language_server import lsp_method

logger = logging.getLogger(__name__)

# pygls takes a header only when it is a whole line. After a body read with a wrong length,
# the next header follows the rest of that body on the same line (a JSON body holds no raw
# line break inside a string), so a header that ends a line marks where the stream resumes.
_HEADER_ENDING_LINE = re.compile(rb"Content-Length: \d+\r\n\Z")


class ResyncingReader(io.BufferedReader):
    """Standard input as pygls reads it (`readline` for headers, `read(n)` for a body), which
    finds the next message after one whose `Content-Length` was wrong.

    Too short: the body is cut (pygls answers it as unparsable) and the rest of it comes
    before the next header on one line; `readline` drops the rest. Too long: the body runs
    into the next message's header; `read` keeps what follows the first JSON value for the
    next `readline`, so the next message is read whole."""

    def __init__(self, raw: io.RawIOBase) -> None:
        super().__init__(raw)
        self._overrun = b""

    def readline(self, size: int | None = -1, /) -> bytes:  # pygls reads whole lines: `size` is unused
        if b"\n" in self._overrun:
            end = self._overrun.index(b"\n") + 1
            line, self._overrun = self._overrun[:end], self._overrun[end:]
        else:
            line, self._overrun = self._overrun + super().readline(), b""
        header = _HEADER_ENDING_LINE.search(line)
        if header is not None and header.start() > 0:
            logger.warning("skipped %d bytes that were not a message before the next header", header.start())
            return line[header.start() :]
        return line

    def read(self, size: int | None = -1, /) -> bytes:
        if size is None or size < 0:
            data, self._overrun = self._overrun + super().read(), b""
            return data
        held, self._overrun = self._overrun[:size], self._overrun[size:]
        body = held + super().read(size - len(held)) if len(held) < size else held
        self._overrun = _after_first_json_value(body) + self._overrun
        return body


def _after_first_json_value(body: bytes) -> bytes:
    """What follows the JSON value a body starts with, when it is not all JSON: the start of
    the next message, read because the `Content-Length` was too long. A JSON-RPC message is
    an object: a body that ends with `}` and holds no header is taken as whole without parsing
    it twice."""
    if body.rstrip().endswith(b"}") and b"Content-Length: " not in body:
        return b""
    text = body.decode("utf-8", "surrogateescape")
    try:
        _, end = json.JSONDecoder().raw_decode(text)
    except ValueError:
        return b""  # cut short, not overrun
    return text[end:].encode("utf-8", "surrogateescape")


class CflintProtocol(LanguageServerProtocol):
    """pygls's protocol, with the replies that JSON-RPC and LSP ask for where pygls has none."""

    def handle_message(self, message: Any) -> None:
        if self._shutdown and isinstance(message, RPCRequest) and message.method != types.EXIT:
            error = JsonRpcInvalidRequest(f"the server is shutting down: {message.method} after shutdown")
            self._send_response(message.id, None, error.to_response_error())
            return
        if not hasattr(message, "jsonrpc"):  # valid JSON that is not a JSON-RPC message
            self.reply_unreadable(JsonRpcInvalidRequest("not a JSON-RPC message"))
            return
        super().handle_message(message)

    def reply_unreadable(self, error: Exception) -> None:
        """The reply to a message that could not be read: an error with a null id, since its
        id is unknown. A parse error when the body is not JSON, the reason's own code for a
        JSON-RPC error, else an internal error."""
        if isinstance(error, JsonRpcException):
            code, text = error.code, error.message
        elif isinstance(error, ValueError):  # json.JSONDecodeError and UnicodeDecodeError
            code, text = JsonRpcParseError.CODE, f"{JsonRpcParseError.MESSAGE}: {error}"
        else:
            code, text = JsonRpcInternalError.CODE, f"{JsonRpcInternalError.MESSAGE}: {error}"
        logger.warning("could not read a message: %s", text)
        self._send_data({"jsonrpc": self.VERSION, "id": None, "error": {"code": code, "message": text}})

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Generator[Any, Any, None]:
        """A change to a document that was never opened has no text to apply to: skip it."""
        if unquote(params.text_document.uri) not in self.workspace.text_documents:
            logger.info("ignored a change to %s, which is not open", params.text_document.uri)
            return
        yield from super().lsp_text_document__did_change(params)
