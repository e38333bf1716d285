// An xk6-mqtt script as k6 runs it, unchanged: nothing is awaited; the connect handler
// subscribes and publishes, the message handler checks the payload and ends the client, and
// the iteration lasts until the client is done (k6's event loop). Thresholds are the verdict.
//
//   mqload run -e MQTT_BROKER_ADDRESS=mqtt://127.0.0.1:1883 examples/xk6_subscribe.js
import { check } from "k6";
import { Counter } from "k6/metrics";
import { Client } from "k6/x/mqtt";

const TOPIC = "examples/xk6/subscribe";
const READING = "temp=21.5C"; // 10 bytes

export const options = {
  thresholds: {
    checks: ["rate==1"],
    readings: ["count==1"],
    "mqtt_calls{method:subscribe}": ["count==1"],
    "mqtt_calls{method:publish}": ["count==1"],
    mqtt_errors: ["count==0"],
    mqtt_messages_sent: ["count==1"],
    mqtt_messages_received: ["count==1"],
    data_sent: ["count==10"],
    data_received: ["count==10"],
  },
};

const readings = new Counter("readings");

export default function () {
  const client = new Client();

  client.on("connect", () => {
    client.subscribe(TOPIC);
    client.publish(TOPIC, READING);
  });

  client.on("message", (topic, payload) => {
    const text = new TextDecoder().decode(payload);
    check(text, {
      "reading on its topic": () => topic === TOPIC,
      "reading intact": (t) => t === READING,
    });
    readings.add(1);
    client.end();
  });

  client.connect(__ENV.MQTT_BROKER_ADDRESS);
}
