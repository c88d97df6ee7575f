"""Azure's wire: everything that knows how Azure OpenAI is reached and how it answers.

`endpoint` (the URL as pasted, normalised), `auth` (API key, token provider or
keyless Entra ID), `clients` (the `openai` SDK clients for the classic and v1
APIs), `body` (request bodies streamed as JSON bytes), `service_errors` (the SDK's
exceptions as this package's typed errors), `replay` (strict vcrpy replay of
recorded traffic). Imports the `openai` SDK, azure-identity, vcrpy and `errors`;
nothing of LangChain, and nothing else of this package.
"""
