// xk6-mqtt's connect example: an async connect handler that awaits endAsync(), the end handler,
// and teardown. Thresholds are the verdict.
import { check } from "k6";
import { Counter } from "k6/metrics";
import { Client } from "k6/x/mqtt";

export const options = {
  vus: 2,
  iterations: 4,
  thresholds: {
    checks: ["rate==1"],
    ended: ["count==4"],
    "mqtt_calls{method:connect}": ["count==4"],
    "mqtt_calls{method:end}": ["count==4"],
    mqtt_errors: ["count==0"],
  },
};

const ended = new Counter("ended");

export default function () {
  const client = new Client();

  client.on("connect", async () => {
    check(client, { "connected in handler": (c) => c.connected });
    await client.endAsync();
  });

  client.on("end", () => {
    check(client, { "not connected after end": (c) => !c.connected });
    ended.add(1);
  });

  check(client, { "not connected initially": (c) => !c.connected });

  client.connect(__ENV.MQTT_BROKER_ADDRESS);
}
