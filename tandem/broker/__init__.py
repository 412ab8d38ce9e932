"""The MQTT broker tandem starts and secures itself (not the wire format: that is `protocol`).

`launcher` starts a loopback broker for a zero-setup run or a test (Mosquitto, else amqtt); its
public names are re-exported here, so callers write `from tandem.broker import start_broker`.
`security` makes the CA, certificates, accounts and ACL for a TLS Mosquitto (`tandem broker
certs/users`); it imports `cryptography`'s x509 layer, so it is imported on its own, by name.
"""

from tandem.broker.launcher import (
    BrokerProcess,
    BrokerStartError,
    free_port,
    is_listening,
    mosquitto_path,
    start_broker,
    wait_listening,
)

__all__ = ["BrokerProcess", "BrokerStartError", "free_port", "is_listening", "mosquitto_path", "start_broker",
           "wait_listening"]
