"""The Realtime API behind `AzureChatOpenAIRealtime` (the models layer, private).

`protocol` (LangChain messages and tools ⇄ realtime events and `session.update`,
GA and preview; pure), `wire` (one connection: JSON events, bounded waits; the
one-response exchange of `invoke`/`stream`), `events` (what a live session
yields), `turns` (per-answer state, the barge-in arithmetic, running tools),
`session` (the live session: reading, tools, barge-in, reconnection), `sync`
(sync calls over the async connection). Imports `_azure`, `_translate`,
`_media`, `_model` and `errors`.
"""
