"""What the models share: their settings' checks, the known models, structured output.

`settings` (checks of settings, per-call parameters and responses), `profiles`
(models, voices, formats, limits, lifecycle), `structured`
(`with_structured_output` by function calling), `instructions` (the system
instructions the features and tools send). Imports `_translate`, `audio` and
`errors`.
"""
