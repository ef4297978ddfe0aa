"""A route's result as JSON, written once by the model itself.

FastAPI would otherwise validate a returned model against its response model again and
serialise it through a generic encoder; for a deal with its briefing that is more work
than reading the deal. The route still declares ``response_model`` (the OpenAPI document
shows it); it returns the model through :class:`ModelResponse`, which writes exactly the
JSON the CLI's ``--format json`` prints (without its indentation)."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi.responses import Response
from pydantic import BaseModel

__all__ = ["ModelResponse"]


class ModelResponse(Response):
    media_type = "application/json"

    def __init__(self, content: BaseModel | Sequence[BaseModel], status_code: int = 200) -> None:
        if isinstance(content, BaseModel):
            body = content.model_dump_json()
        else:
            body = "[" + ",".join(item.model_dump_json() for item in content) + "]"
        super().__init__(body, status_code=status_code)
