"""Routes that take whole inventories: the body validated from its bytes, cyclic collection held off.

FastAPI reads a JSON body into Python dicts and lists and then validates those; for an inventory of
20,000 lines the intermediate objects cost about as much as the validation itself. These routes
validate the raw bytes with the body's model instead (pydantic's JSON mode, the same rules) and hand
FastAPI the validated model, which it takes as it is. A body that fails is read the ordinary way and
validated again by FastAPI, so its errors are reported exactly as on any other route.

Handling one inventory creates some hundred thousand objects that live until the response is sent;
each batch of them triggers the cyclic garbage collector, whose full passes walk the whole process
(all of the platform in one process) and cost more than the calculation. The collector is held off
while such a request is handled; the objects are freed by reference counting when it ends.
"""

from __future__ import annotations

import gc
import json
import threading
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

_lock = threading.Lock()
_holding = 0
_was_enabled = False


@contextmanager
def collection_held_off() -> Iterator[None]:
    """No cyclic garbage collection until the last of the requests holding it off has ended."""
    global _holding, _was_enabled
    with _lock:
        if _holding == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holding += 1
    try:
        yield
    finally:
        with _lock:
            _holding -= 1
            if _holding == 0 and _was_enabled:
                gc.enable()


class _ModelBodyRequest(Request):
    """A request whose JSON body is read as one model."""

    model: type[BaseModel]

    @classmethod
    def reading(cls, model: type[BaseModel], request: Request) -> _ModelBodyRequest:
        """`request` with its body to be read as `model`."""
        model_request = cls(request.scope, request.receive)
        model_request.model = model
        return model_request

    def forget_body(self) -> None:
        """Drop the model read from the body."""
        self.__dict__.pop("_json", None)

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                self._json = self.model.model_validate_json(body)
            except ValidationError as invalid:
                first = invalid.errors(include_url=False)[0]
                if first["type"] == "json_invalid":
                    # Not JSON as pydantic reads it (a lone surrogate, say): refused as malformed JSON.
                    raise json.JSONDecodeError(first["msg"], body.decode(errors="replace"), 0) from None
                self._json = json.loads(body)
        return self._json


class WholeInventoryRoute(APIRoute):
    """A route whose body, when it is one pydantic model, is validated from the request's bytes."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        model = None if self.body_field is None else self.body_field.field_info.annotation
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return handler

        async def handle(request: Request) -> Response:
            model_request = _ModelBodyRequest.reading(model, request)
            with collection_held_off():
                try:
                    return await handler(model_request)
                finally:
                    # The request lives on until the response is sent; the model read from its body
                    # need not, and is freed here, before collection resumes.
                    model_request.forget_body()

        return handle
