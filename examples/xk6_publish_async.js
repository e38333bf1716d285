// publishAsync() then publish(): two messages in order, counted by the message handler, which
// ends the client after the second. Per-call tags split the publish calls in the summary.
//
//   mqload run -e MQTT_BROKER_ADDRESS=mqtt://127.0.0.1:1883 examples/xk6_publish_async.js
import { check } from "k6";
import { Counter } from "k6/metrics";
import { Client } from "k6/x/mqtt";

const TOPIC = "examples/xk6/publish-async";
const MESSAGES = ["first, awaited", "second"]; // 14 + 6 bytes

export const options = {
  thresholds: {
    checks: ["rate==1"],
    delivered: ["count==2"],
    "mqtt_calls{method:publish}": ["count==2"],
    "mqtt_calls{step:then}": ["count==1"],
    mqtt_errors: ["count==0"],
    mqtt_messages_sent: ["count==2"],
    mqtt_messages_received: ["count==2"],
    data_sent: ["count==20"],
    data_received: ["count==20"],
  },
};

const delivered = new Counter("delivered");

export default function () {
  const client = new Client();
  const received = [];

  client.on("connect", () => {
    client.subscribe(TOPIC);
    client.publishAsync(TOPIC, MESSAGES[0])
      .then(() => client.publish(TOPIC, MESSAGES[1], { tags: { step: "then" } }));
  });

  client.on("message", (_topic, payload) => {
    received.push(new TextDecoder().decode(payload));
    delivered.add(1);
    if (received.length === MESSAGES.length) {
      check(received, { "both, in order": (r) => r.join("|") === MESSAGES.join("|") });
      client.end();
    }
  });

  client.connect(__ENV.MQTT_BROKER_ADDRESS);
}
