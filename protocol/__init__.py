"""The wire protocol both ends import (`device` and `cloud` never import each other).

Modules, each importing only those listed before it:

    errors          the protocol's errors, under TandemError (the root of every tandem error)
    codec           base64 and schema-error summaries shared by envelopes, results, sessions, key files
    ids             sequence numbers, task ids, wire digests
    tools           tool schemas offered to the cloud and the call it plans back, bounded
    messages        the pydantic wire models and their size limits
    topics          MQTT topic names
    keyfiles        key files on disk: layout, formats, atomic 0600 writes, mode checks
    keys            key sets (PublicKeys, DeviceKeys, PoolKeys), setup on one host, listing
    key_lifecycle   creating, enrolling, pinning, rotating and revoking keys across hosts
    replay          the receiver's replay guard
    envelope        HPKE + Ed25519 envelopes (schema 1, and the tasks of schema 2)
    response        response-key results (schema 2)
    session         session tickets and session tasks (schema 3)
    mqtt            the MQTT client factory (paho, imported by those who connect)

Import names from their module (`from protocol.envelope import seal`); this package exports none.
"""
