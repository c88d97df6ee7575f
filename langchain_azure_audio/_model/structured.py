"""`with_structured_output` for models that take no `response_format`: function calling.

Azure's audio models accept tools but no `response_format` (JSON mode or JSON
schema; "Structured outputs: Not supported" on each model's page), so every
method is served by one forced function call whose arguments are parsed into
the schema. Code written for `AzureChatOpenAI` that asks for
`method="json_schema"` or `"json_mode"` keeps working; the substitution is
logged once at INFO.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from operator import itemgetter
from typing import Any, Final

from langchain_core.language_models.base import LanguageModelInput
from langchain_core.messages import AIMessage
from langchain_core.output_parsers.openai_tools import (
    JsonOutputKeyToolsParser,
    PydanticToolsParser,
)
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from langchain_core.utils.pydantic import is_basemodel_subclass
from pydantic import BaseModel

from langchain_azure_audio._translate.tool_schemas import format_tools
from langchain_azure_audio.errors import AzureAudioConfigError

logger = logging.getLogger("langchain_azure_audio")

METHODS: Final = ("function_calling", "json_schema", "json_mode")
_logged_substitution: set[str] = set()

BindTools = Callable[..., Runnable[LanguageModelInput, AIMessage]]


def structured_output(
    bind_tools: BindTools,
    schema: dict[str, Any] | type | None,
    *,
    method: str,
    include_raw: bool,
    strict: bool | None,
    kwargs: dict[str, Any],
) -> Runnable[LanguageModelInput, dict[str, Any] | BaseModel]:
    """The runnable behind `AzureChatOpenAIAudio.with_structured_output`."""
    if method not in METHODS:
        raise AzureAudioConfigError(
            f"method={method!r} is not a structured-output method; use one of {METHODS} "
            "(all are served by function calling on Azure's audio models)."
        )
    if schema is None:
        raise AzureAudioConfigError(
            f"with_structured_output(method={method!r}) needs a schema: Azure's audio models "
            "have no JSON mode, so the answer is shaped by a function call built from the "
            "schema. Pass a Pydantic model, a TypedDict or a JSON schema."
        )
    if kwargs:
        raise AzureAudioConfigError(
            f"with_structured_output got unsupported arguments {sorted(kwargs)}."
        )
    if method != "function_calling" and method not in _logged_substitution:
        _logged_substitution.add(method)
        logger.info(
            "with_structured_output(method=%r): Azure's audio models take no response_format, "
            "so the schema is served by function calling (same result shape).",
            method,
        )
    tool_name = format_tools([schema], strict=strict)[0]["function"]["name"]
    llm = bind_tools(
        [schema],
        tool_choice=tool_name,
        strict=strict,
        ls_structured_output_format={
            "kwargs": {"method": method, "strict": strict},
            "schema": schema,
        },
    )
    parser: Runnable[Any, Any] = (
        PydanticToolsParser(tools=[schema], first_tool_only=True)
        if isinstance(schema, type) and is_basemodel_subclass(schema)
        else JsonOutputKeyToolsParser(key_name=tool_name, first_tool_only=True)
    )
    if not include_raw:
        return llm | parser
    parse_or_none = RunnablePassthrough.assign(
        parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
    ).with_fallbacks(
        [RunnablePassthrough.assign(parsed=lambda _: None)], exception_key="parsing_error"
    )
    return RunnableMap(raw=llm) | parse_or_none
