// Handing a received PUBLISH to the application: its own copy of the payload, the `on` handler,
// the listeners, the messages() iterator, and the metrics.

import type { Properties, PublishPacket } from "../codec/packets.ts";
import type { Listeners } from "./_listeners.ts";
import { LATENCY_PROPERTY, PAYLOAD_STAMP_BYTES, payloadStamp } from "./_latency_stamp.ts";
import type { Metrics } from "./_metrics.ts";
import { MQTT_MESSAGE_LATENCY } from "./metric_names.ts";
import type { Clock } from "./clock.ts";
import { type Message, type MessageInfo, MqttMessageEvent } from "./events.ts";
import type { MessageStream } from "./messages.ts";

export function deliver(
  topic: string,
  packet: PublishPacket,
  events: Listeners,
  stream: MessageStream | undefined,
  metrics: Metrics | undefined,
  clock: Clock,
  stampInPayload: boolean,
): void {
  let bytes = packet.payload;
  let sent: number | undefined;
  if (stampInPayload) {
    sent = payloadStamp(bytes);
    if (sent !== undefined) bytes = bytes.subarray(0, bytes.length - PAYLOAD_STAMP_BYTES);
  }
  if (metrics !== undefined) {
    // Payload bytes as they travelled, trailer included, like the publisher's data_sent.
    metrics.received(topic, packet.payload.length);
    if (sent === undefined) {
      const property = packet.properties?.userProperties?.find((p) => p[0] === LATENCY_PROPERTY);
      if (property !== undefined) sent = Number(property[1]);
    }
    if (sent !== undefined && Number.isFinite(sent)) {
      metrics.add(
        MQTT_MESSAGE_LATENCY,
        Math.max(0, clock.now() - sent),
        metrics.topicTags(topic),
      );
    }
  }
  const handler = events.handler("message");
  const listening = events.listening("message");
  // Nobody to hand the message to (a subscriber the runner only counts): no copy of the
  // payload, an ArrayBuffer (a malloc) per message, nor of its properties.
  if (handler === undefined && !listening && stream === undefined) return;
  // The decoder's payload is a view into its read buffer: copy before anyone keeps it.
  const payload = bytes.slice().buffer;
  const info: MessageInfo = { qos: packet.qos, retain: packet.retain, dup: packet.dup };
  if (packet.packetId !== undefined) info.packetId = packet.packetId;
  if (packet.properties !== undefined) info.properties = ownProperties(packet.properties);
  if (handler !== undefined) {
    try {
      handler(topic, payload, info);
    } catch (error) {
      reportError(error);
    }
  }
  if (listening) events.dispatch(new MqttMessageEvent(topic, payload, info));
  if (stream !== undefined) {
    const message: Message = { topic, payload, ...info };
    stream.push(message);
  }
}

function ownProperties(properties: Properties): Properties {
  const own = { ...properties };
  if (own.correlationData !== undefined) own.correlationData = own.correlationData.slice();
  if (own.authenticationData !== undefined) {
    own.authenticationData = own.authenticationData.slice();
  }
  return own;
}
