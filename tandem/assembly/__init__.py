"""Assembly of the running system from settings: what `tandem ask`, `demo`, `chat` and `serve` run.

`runtime` locates (or builds) models, creates keys, starts a missing loopback broker and worker
(`ensure_infra`) and builds the device agent and its escalation client (`make_agent`,
`make_escalator`); `engine_options` merges settings with the hardware profile; `redaction_setup`
builds the device redactor, policy and vault store; `home_setup` the home the device's tools act on
(`[home]`: MqttHome on the home's broker, else InventoryHome from a file); `chat_session` and `serve_runtime` wire the
agent into the TUI and the headless service; `demo_cloud` picks the demo's cloud worker;
`trace_text` renders an answer's trace for the terminal.
"""
