// The connection lifecycle as xk6-mqtt reports it: `connected` before, inside the async
// connect handler and after the end event; the handler awaits endAsync(). Two VUs share four
// iterations, each with its own client.
//
//   mqload run -e MQTT_BROKER_ADDRESS=mqtt://127.0.0.1:1883 examples/xk6_connect_async.js
import { check } from "k6";
import { Counter } from "k6/metrics";
import { Client } from "k6/x/mqtt";

export const options = {
  vus: 2,
  iterations: 4,
  thresholds: {
    checks: ["rate==1"],
    sessions: ["count==4"],
    "mqtt_calls{method:connect}": ["count==4"],
    "mqtt_calls{method:end}": ["count==4"],
    mqtt_errors: ["count==0"],
  },
};

const sessions = new Counter("sessions");

export default function () {
  const client = new Client();
  check(client, { "offline before connect()": (c) => c.connected === false });

  client.on("connect", async () => {
    check(client, { "online in the connect handler": (c) => c.connected === true });
    await client.endAsync();
  });

  client.on("end", () => {
    check(client, { "offline after end": (c) => c.connected === false });
    sessions.add(1);
  });

  client.connect(__ENV.MQTT_BROKER_ADDRESS);
}
