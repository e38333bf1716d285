/**
 * MQTT 5 request/response with the library: a responder iterates the requests of its
 * subscription and answers each on the request's response topic, with its correlation data; the
 * requester sends a request and waits for the answer that carries its correlation data.
 *
 *     MQTT_BROKER_ADDRESS=mqtt://127.0.0.1:1883 deno run -A examples/request_response.ts
 *
 * @module
 */

import { Client, QoS } from "../mod.ts";

const url = Deno.env.get("MQTT_BROKER_ADDRESS") ?? "mqtt://127.0.0.1:1883";
const encoder = new TextEncoder();

// The responder: one loop over its subscription, for as long as the service runs.
const responder = new Client({ client_id: "responder", protocol_version: 5 });
await responder.connect(url);
const requests = responder.subscription("svc/upper", { qos: QoS.AtLeastOnce });
await requests.granted;
const serving = (async () => {
  for await (const request of requests) {
    const replyTo = request.properties?.responseTopic;
    if (replyTo === undefined) continue;
    const properties = request.properties?.correlationData === undefined
      ? {}
      : { correlationData: request.properties.correlationData };
    await responder.publish(replyTo, request.text().toUpperCase(), { qos: 1, properties });
  }
})();

// The requester: its own response topic, one loop over it handing each answer to the request
// with its correlation data (leaving a for-await loop would end the subscription).
const requester = new Client({ client_id: "requester", protocol_version: 5 });
await requester.connect(url);
const replies = requester.subscription("replies/requester", { qos: QoS.AtLeastOnce });
await replies.granted;
const waiting = new Map<string, (text: string) => void>();
const answering = (async () => {
  for await (const reply of replies) {
    const correlation = new TextDecoder().decode(reply.properties?.correlationData);
    waiting.get(correlation)?.(reply.text());
    waiting.delete(correlation);
  }
})();

async function request(text: string): Promise<string> {
  const id = crypto.randomUUID();
  const answer = new Promise<string>((resolve) => waiting.set(id, resolve));
  await requester.publish("svc/upper", text, {
    qos: QoS.AtLeastOnce,
    properties: { responseTopic: "replies/requester", correlationData: encoder.encode(id) },
  });
  return await answer;
}

console.log("reply:", await request("hello"));
console.log("reply:", await request("mqtt"));

await requester.end();
await answering;
await requests.unsubscribe();
await serving;
await responder.end();
