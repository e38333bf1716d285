// subscribeAsync() returns a promise: publish once the broker has acknowledged the
// subscription, so the message cannot race it. Nothing else is awaited.
//
//   mqload run -e MQTT_BROKER_ADDRESS=mqtt://127.0.0.1:1883 examples/xk6_subscribe_async.js
import { check } from "k6";
import { Counter } from "k6/metrics";
import { Client, QoS } from "k6/x/mqtt";

const TOPIC = "examples/xk6/subscribe-async";
const COMMAND = "lights:on"; // 9 bytes

export const options = {
  thresholds: {
    checks: ["rate==1"],
    commands: ["count==1"],
    "mqtt_calls{method:subscribe}": ["count==1"],
    mqtt_errors: ["count==0"],
    mqtt_messages_sent: ["count==1"],
    mqtt_messages_received: ["count==1"],
    data_sent: ["count==9"],
    data_received: ["count==9"],
  },
};

const commands = new Counter("commands");

export default function () {
  const client = new Client();

  client.on("connect", () => {
    client.subscribeAsync(TOPIC, { qos: QoS.AtLeastOnce })
      .then(() => client.publish(TOPIC, COMMAND, { qos: QoS.AtLeastOnce }));
  });

  client.on("message", (topic, payload) => {
    check(new TextDecoder().decode(payload), {
      "command intact": (c) => c === COMMAND && topic === TOPIC,
    });
    commands.add(1);
    client.end();
  });

  client.connect(__ENV.MQTT_BROKER_ADDRESS);
}
