"""Pure helpers for tool calling: format and check tool schemas, map `tool_choice`.

Schemas are converted with langchain-core's `convert_to_openai_tool` (Pydantic
models, TypedDicts, functions, `BaseTool`s, JSON schemas) and then checked
against the rules the service enforces, so a bad schema fails here, naming the
tool and the fix, instead of as a 400 from Azure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Final

from langchain_core.utils.function_calling import convert_to_openai_tool

from langchain_azure_audio.errors import AzureAudioConfigError

_TOOL_NAME: Final = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
MAX_TOOLS: Final = 128


def format_tools(tools: Sequence[Any], *, strict: bool | None = None) -> list[dict[str, Any]]:
    """OpenAI-format tool dicts, checked against the service's rules."""
    if len(tools) > MAX_TOOLS:
        raise AzureAudioConfigError(
            f"bind_tools got {len(tools)} tools; the service accepts at most {MAX_TOOLS}. "
            "Bind fewer tools (or route between smaller sets)."
        )
    formatted = [convert_to_openai_tool(tool, strict=strict) for tool in tools]
    for index, tool in enumerate(formatted):
        function = tool.get("function") or {}
        name = function.get("name", "")
        where = f"tools[{index}] ({name!r})"
        if tool.get("type") != "function":
            raise AzureAudioConfigError(
                f"{where}: only function tools are accepted by chat completions, got type "
                f"{tool.get('type')!r}."
            )
        if not _TOOL_NAME.match(name):
            raise AzureAudioConfigError(
                f"{where}: tool names must be 1-64 characters of letters, digits, '_' or '-'; "
                "rename the tool."
            )
        parameters = function.get("parameters")
        if parameters is not None and parameters.get("type", "object") != "object":
            raise AzureAudioConfigError(
                f"{where}: parameters must be a JSON schema of type 'object', got "
                f"{parameters.get('type')!r}; wrap the arguments in an object."
            )
    return formatted


def tool_choice_param(tool_choice: Any, tools: list[dict[str, Any]]) -> Any:
    """Map LangChain's `tool_choice` values to the service's."""
    names = [tool["function"]["name"] for tool in tools]
    if tool_choice is None or tool_choice in ("auto", "none", "required"):
        return tool_choice
    if tool_choice == "any":
        return "required"
    if tool_choice is True:
        if len(names) != 1:
            raise AzureAudioConfigError(
                f"tool_choice=True needs exactly one tool, got {len(names)}; name the tool."
            )
        tool_choice = names[0]
    if isinstance(tool_choice, str):
        if tool_choice not in names:
            raise AzureAudioConfigError(
                f"tool_choice {tool_choice!r} is not one of the bound tools {names}; use one "
                "of them, 'auto', 'any'/'required' or 'none'."
            )
        return {"type": "function", "function": {"name": tool_choice}}
    if isinstance(tool_choice, dict):
        return tool_choice
    raise AzureAudioConfigError(
        f"tool_choice {tool_choice!r} is not understood; use a tool name, 'auto', "
        "'any'/'required', 'none' or True."
    )
