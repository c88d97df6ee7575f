"""`langchain-azure-audio serve`: the settings check, then the web app (the `serve` extra).

Live when AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_DEPLOYMENT_NAME are set,
offline (the bundled synthetic demo answer only) when neither is; one of them
alone is a mistake, named at once, as for `demo`. Live, the page talks through
the Realtime API when the deployments are named like realtime models (their
profiles, `_model/profiles.py`) or with `--realtime`, and through chat
completions otherwise. `--tools module:attr` names a list of LangChain tools,
imported here (a bad one is a usage error before the server starts).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import click

from langchain_azure_audio.cli.checks import LIVE_SETTINGS, missing_settings, one_line

if TYPE_CHECKING:
    from langchain_core.tools import BaseTool

EXTRA_HINT = "pip install 'langchain-azure-audio[serve]'"
EXAMPLE_TOOLS = "langchain_azure_audio.serve.example_tools:TOOLS"


def run_serve(
    *,
    host: str,
    port: int,
    deployments: tuple[str, ...],
    voice: str,
    live: bool | None,
    echo: Callable[..., None],
    realtime: bool = False,
    tool_specs: Sequence[str] = (),
) -> None:
    missing = missing_settings()
    offline = live is False or (live is None and len(missing) == len(LIVE_SETTINGS))
    if not offline and missing:
        present = [name for name in LIVE_SETTINGS if name not in missing]
        why = "--live needs" if live else f"{present[0]} is set but"
        raise click.ClickException(
            f"{why} {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set: set "
            "it to talk to Azure, or pass --offline for the bundled synthetic demo answer."
        )
    if offline and (realtime or tool_specs):
        flag = "--realtime" if realtime else "--tools"
        raise click.ClickException(
            f"{flag} talks to a realtime deployment, and the page is offline (no Azure "
            "settings): set AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_DEPLOYMENT_NAME."
        )
    try:
        from langchain_azure_audio.serve import ServeOptions, bind, run, url_of
        from langchain_azure_audio.serve.realtime_session import default_live_model
        from langchain_azure_audio.serve.session import default_model
    except ImportError as exc:
        raise click.ClickException(
            f"`serve` needs the serve extra ({exc.name} is not installed): {EXTRA_HINT}"
        ) from exc
    tools: tuple[BaseTool, ...] = ()
    if not offline:
        deployments = deployments or (os.environ["AZURE_OPENAI_DEPLOYMENT_NAME"].strip(),)
        realtime = choose_realtime(deployments, realtime)
        tools = load_tools(tool_specs)
        if tools and not realtime:
            raise click.BadParameter(
                f"the page runs tools in realtime mode only, and {deployments[0]} talks "
                "through chat completions: serve a realtime deployment (gpt-realtime...), or "
                "add --realtime if it is one.",
                param_hint="'--tools'",
            )
        # bad settings stop here, before any page opens
        (default_live_model if realtime else default_model)(deployments[0], voice)
    options = ServeOptions(offline=offline, deployments=tuple(dict.fromkeys(deployments)),
                           voice=voice, realtime=realtime, tools=tools)  # fmt: skip
    sock = bind(host, port)
    url = url_of(sock)
    mode = ("OFFLINE (bundled SYNTHETIC demo answer only)" if offline
            else "live, realtime" if realtime else "live, chat completions")  # fmt: skip
    echo(f"Serving {mode} on {url}  (Ctrl-C to stop)")
    if tools:
        echo(f"Tools the model may call: {', '.join(t.name for t in tools)}")
    if not _loopback(host):
        echo(f"warning: listening on {host}: anyone who can reach it can talk to your "
             "deployment through this server.", err=True)  # fmt: skip
    run(options, sock)


def choose_realtime(deployments: Sequence[str], forced: bool) -> bool:
    """Whether the page talks through the Realtime API: `--realtime`, or every deployment
    is named like a realtime model; a mix of the two APIs is a usage error."""
    from langchain_azure_audio._model.profiles import find_model, find_realtime_model

    chat = [d for d in deployments if find_model(d) is not None]
    if forced:
        if chat:
            raise click.BadParameter(
                f"{chat[0]} is a chat-completions audio model, which the Realtime API does not "
                "serve: drop --realtime, or serve a realtime deployment (gpt-realtime...).",
                param_hint="'--realtime'",
            )
        return True
    live = [d for d in deployments if find_realtime_model(d) is not None]
    others = [d for d in deployments if d not in live]
    if live and others:
        raise click.BadParameter(
            f"{live[0]} is a realtime model but {others[0]} is not known as one, and one page "
            f"talks one API: add --realtime if {others[0]} is a realtime deployment too, or "
            "serve them from two servers.",
            param_hint="'--deployment'",
        )
    return bool(live)


def load_tools(specs: Sequence[str]) -> tuple[BaseTool, ...]:
    """The LangChain tools named by `module:attr` specs (each a list of tools, or one tool).

    Raises:
        click.BadParameter: a malformed spec, a module that cannot be imported, a missing
            attribute, or something that is not LangChain tools (one line each).
    """
    from langchain_core.tools import BaseTool

    found: dict[str, BaseTool] = {}
    for spec in specs:
        for tool in _tools_of(spec, _resolve(spec)):
            if not isinstance(tool, BaseTool):
                raise _bad(spec, f"holds {type(tool).__name__} {tool!r:.60}, not a LangChain "
                           "tool (decorate functions with langchain_core.tools.tool)")  # fmt: skip
            if tool.name in found:
                raise _bad(spec, f"a second tool is named {tool.name!r}; tool names must differ")
            found[tool.name] = tool
    return tuple(found.values())


def _resolve(spec: str) -> Any:
    module_name, colon, attr = spec.strip().partition(":")
    if not colon or not module_name or not attr:
        raise _bad(spec, f"expected MODULE:ATTR, e.g. {EXAMPLE_TOOLS}")
    try:
        value: Any = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
            raise _bad(spec, f"there is no module {module_name!r} (is it installed, or on "
                       "PYTHONPATH?)") from exc  # fmt: skip
        raise _bad(spec, f"importing {module_name} failed: {exc}") from exc
    except (Exception, SystemExit) as exc:  # its own code failed: say how, in one line
        raise _bad(spec, f"importing {module_name} failed: {type(exc).__name__}: "
                   f"{one_line(str(exc))}") from exc  # fmt: skip
    for part in attr.split("."):
        if not hasattr(value, part):
            raise _bad(spec, f"{module_name} has no attribute {attr!r}")
        value = getattr(value, part)
    return value


def _tools_of(spec: str, value: Any) -> list[Any]:
    from langchain_core.tools import BaseTool

    if isinstance(value, BaseTool):
        return [value]
    if not isinstance(value, (list, tuple)) or not value:
        raise _bad(spec, f"is a {type(value).__name__}; give a non-empty list of LangChain tools")
    return list(value)


def _bad(spec: str, why: str) -> click.BadParameter:
    return click.BadParameter(f"{spec!r}: {why}.", param_hint="'--tools'")


def _loopback(host: str) -> bool:
    from langchain_azure_audio.serve.app import is_loopback

    return is_loopback(host)
