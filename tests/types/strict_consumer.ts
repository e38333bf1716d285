// A consumer's use of the library, type-checked by tests/types_test.ts with the compiler options
// of strict_consumer.json (strict, noUncheckedIndexedAccess, exactOptionalPropertyTypes), the
// library imported by path as an application vendoring it would. Never run.

import {
  Client,
  type ClientHandlers,
  type Message,
  type MessageStream,
  type MqttError,
  type Payload,
  QoS,
  type TopicSubscription,
} from "../../mod.ts";

export async function service(url: string, signal: AbortSignal): Promise<void> {
  const client = new Client({
    client_id: "gateway",
    clean_session: false,
    manual_ack: true,
    retry_first_connect: true,
  });
  client.on("error", (error: MqttError) => console.error(error.code, error.message));
  client.on("message", (topic, payload, info) => {
    const level: 0 | 1 | 2 = info.qos;
    console.log(topic, payload.byteLength, level, info.packetId ?? 0);
  });
  await client.connect(url, { keepalive: 30, signal });
  const payloads: Payload[] = [new DataView(new ArrayBuffer(2)), new Uint16Array([1]), "text"];
  for (const payload of payloads) await client.publish("out", payload, { qos: QoS.AtLeastOnce });
  await client.publish("out", "x", { qos: 2, retain: true, signal });
  const telemetry: TopicSubscription = client.subscription("telemetry/+", { qos: 1, capacity: 64 });
  const granted: number[] = await telemetry.granted;
  console.log(granted[0] ?? "none");
  for await (const message of telemetry) {
    const text: string = message.text();
    const bytes: Uint8Array = message.payload;
    const value: unknown = message.json();
    console.log(text, bytes.byteLength, value, message.properties?.contentType ?? "");
    message.ack();
  }
  const stream: MessageStream = client.messages({ capacity: 16, signal });
  const first = await stream.next();
  if (first.done !== true) {
    const message: Message = first.value;
    message.ack();
  }
  console.log(stream.dropped, stream.closed);
  await client.unsubscribe("telemetry/+", { signal });
  await client.drain({ timeout: 10_000 });
  await client.end({ timeout: 500, signal });
  const why: MqttError | undefined = await client.closed();
  console.log(why?.message);
}

export function refused(client: Client, stream: MessageStream, level: number): void {
  // @ts-expect-error A plain number is not a QoS.
  client.publish("t", "x", { qos: level });
  // @ts-expect-error The `message` handler's payload is an ArrayBuffer, not a string.
  client.on("message", (_topic: string, _payload: string) => {});
  // @ts-expect-error The stream's internals are not part of its type.
  stream.push;
  const handler: ClientHandlers["close"] = (info) => console.log(info.reconnecting);
  client.on("close", handler);
}
