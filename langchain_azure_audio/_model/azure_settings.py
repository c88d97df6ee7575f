"""The settings both models share: where the deployment is, who signs in, which voice.

`AzureChatOpenAIAudio` (chat completions) and `AzureChatOpenAIRealtime` (the
Realtime API) take the same `azure_endpoint`, `azure_deployment`, `api_key`,
`azure_ad_token_provider`, `token_scope`, `voice`... and read the same
environment variables, so an app moves between the two by changing a class.
The fields are declared once, here, as a pydantic mixin both classes inherit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from langchain_core.utils import from_env, secret_from_env
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr

from langchain_azure_audio._azure.auth import (
    COGNITIVE_SERVICES_SCOPE,
    Credentials,
    resolve_credentials,
)
from langchain_azure_audio._azure.endpoint import normalize_endpoint
from langchain_azure_audio._model.lifecycle import Retirement, retirement_of
from langchain_azure_audio._model.profiles import resolve_model_name
from langchain_azure_audio.errors import AzureAudioConfigError


class AzureSettings(BaseModel):
    """Endpoint, deployment, credentials, voice, retries: the fields every model here has."""

    azure_deployment: str | None = Field(
        default_factory=from_env("AZURE_OPENAI_DEPLOYMENT_NAME", default=None)
    )
    """Deployment name (env `AZURE_OPENAI_DEPLOYMENT_NAME`)."""
    azure_endpoint: str | None = Field(
        default_factory=from_env("AZURE_OPENAI_ENDPOINT", default=None)
    )
    """`https://<resource>.openai.azure.com`, or `https://<resource>.openai.azure.com/openai/v1`
    for the v1 API (env `AZURE_OPENAI_ENDPOINT`)."""
    model_name: str | None = Field(default=None, alias="model")
    """The model behind the deployment (e.g. `gpt-audio-1.5`), when the deployment's name
    does not say it; sets `profile` and tracing. A deployment named like a known model
    is taken as that model."""
    api_key: SecretStr | None = Field(
        default_factory=secret_from_env("AZURE_OPENAI_API_KEY", default=None)
    )
    """API key (env `AZURE_OPENAI_API_KEY`); never printed. Omit for keyless Entra ID."""
    azure_ad_token_provider: Callable[[], str] | None = Field(default=None, exclude=True)
    """A callable returning an Entra ID bearer token (used when no API key is set)."""
    azure_ad_async_token_provider: Callable[[], Awaitable[str]] | None = Field(
        default=None, exclude=True
    )
    """Async variant for the async client; defaults to `azure_ad_token_provider`."""
    token_scope: str = COGNITIVE_SERVICES_SCOPE
    """Entra ID scope of keyless auth's tokens (Azure OpenAI's, classic and v1 alike)."""
    voice: str = "alloy"
    """Output voice: alloy, ash, ballad, coral, echo, sage, shimmer, verse, marin or cedar
    (older preview models offer fewer; see docs/models.md)."""
    allow_unknown_voice: bool = False
    """Opt out of the voice check, to try voices Azure has not documented yet."""
    max_retries: int = 2
    """Retries for connection errors, 408/409/429 and 5xx (the `openai` SDK's logic); for
    the Realtime API, reconnections of a live session."""
    timeout: float | None = Field(default=None, alias="request_timeout")
    """Seconds before a request (or a wait for the realtime service) times out."""
    default_headers: dict[str, str] | None = None

    model_config = ConfigDict(
        populate_by_name=True, arbitrary_types_allowed=True, protected_namespaces=()
    )

    _credentials: Credentials | None = PrivateAttr(default=None)

    def _check_deployment_settings(self, kind: str) -> None:
        """Typed errors for a missing endpoint or deployment, before any request.

        `kind` names the deployment in the message ("audio model", "realtime model").
        """
        if not self.azure_endpoint:
            raise AzureAudioConfigError(
                "azure_endpoint is not set: pass azure_endpoint='https://<resource>.openai."
                "azure.com' or set AZURE_OPENAI_ENDPOINT."
            )
        self.azure_endpoint = normalize_endpoint(self.azure_endpoint)  # pasted request URLs
        if not self.azure_deployment:
            example = "gpt-realtime" if "realtime" in kind else "gpt-audio-1.5"
            raise AzureAudioConfigError(
                f"azure_deployment is not set: pass the name of your {kind} deployment "
                f"(e.g. azure_deployment='{example}') or set AZURE_OPENAI_DEPLOYMENT_NAME."
            )
        if self.max_retries < 0:
            raise AzureAudioConfigError("max_retries must be 0 or more.")

    @classmethod
    def is_lc_serializable(cls) -> bool:
        return True

    @property
    def lc_secrets(self) -> dict[str, str]:
        return {"api_key": "AZURE_OPENAI_API_KEY"}

    @property
    def audio_model_name(self) -> str | None:
        """The model behind the deployment: `model_name`, or the deployment's name when it
        names a known model (`None` otherwise)."""
        return resolve_model_name(self.model_name, self.azure_deployment)

    @property
    def retirement(self) -> Retirement | None:
        """When the deployment's model retires, as Microsoft published it on a given date
        (`date`, `published_on`, `source`), and the model to move to (`replacement`);
        `None` for a model this package does not know, or with no published date.
        `str()` says it in a sentence."""
        return retirement_of(self.audio_model_name)

    def _creds(self) -> Credentials:
        if self._credentials is None:
            self._credentials = resolve_credentials(
                self.api_key.get_secret_value() if self.api_key else None,
                self.azure_ad_token_provider,
                self.azure_ad_async_token_provider,
                scope=self.token_scope,
            )
        return self._credentials
