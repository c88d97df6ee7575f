"""Message translation: LangChain messages to Azure's request dicts and back.

`messages` (pure functions: messages, audio blocks, usage, tool calls, expired
audio ids, both directions), `streaming` (server chunks to `AIMessageChunk`s,
interrupted streams, `merge_chunks`), `tool_schemas` (tools and `tool_choice` as
Azure takes them). Imports LangChain, `audio`, `_media` and `errors`; no client,
no network.
"""
