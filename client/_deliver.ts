// Handing a received PUBLISH to the application: its own copy of the payload, the `on` handler,
// the listeners, the iterators (see Consumers), and the metrics; then its acknowledgement, at once
// unless an iterator holds it back.

import type { Properties, PublishPacket } from "../codec/packets.ts";
import { isThenable, type Listeners } from "./_listeners.ts";
import { LATENCY_PROPERTY, PAYLOAD_STAMP_BYTES, payloadStamp } from "./_latency_stamp.ts";
import type { Metrics } from "./_metrics.ts";
import { type MessageInfo, MqttMessageEvent } from "./events.ts";
import type { Connection } from "./_connection.ts";
import type { Consumers } from "./_consumers.ts";
import type { Inbound } from "./_inbound.ts";

/**
 * Marks an `on("message")` handler that reads the payload within the call and keeps nothing of
 * it (a runner's own counting handler): it gets a view into the read buffer, valid only during
 * the call, and no message info. The copy of each payload is an ArrayBuffer allocation, about
 * as costly as the rest of a fan-out subscriber's handling of the message.
 */
export const READ_VIEW: unique symbol = Symbol("mqload.readView");

/** Where delivery reports what the application's code threw. */
export interface DeliveryHost {
  readonly events: Listeners;
  readonly consumers: Consumers;
  readonly metrics?: Metrics | undefined;
  handlerFailed(error: unknown): void;
}

export function deliver(
  host: DeliveryHost,
  topic: string,
  packet: PublishPacket,
  conn: Connection,
  inbound: Inbound,
  stampInPayload: boolean,
): void {
  const { events, metrics } = host;
  const bytes = packet.payload;
  let sent: number | undefined;
  // The application's payload ends before a stamp's trailer.
  let end = bytes.length;
  if (stampInPayload) {
    sent = payloadStamp(bytes);
    if (sent !== undefined) end -= PAYLOAD_STAMP_BYTES;
  }
  if (metrics !== undefined) {
    if (sent === undefined) {
      const property = packet.properties?.userProperties?.find((p) => p[0] === LATENCY_PROPERTY);
      if (property !== undefined) sent = Number(property[1]);
    }
    // Payload bytes as they travelled, trailer included, like the publisher's data_sent.
    metrics.received(
      topic,
      packet.payload.length,
      sent !== undefined && Number.isFinite(sent) ? Math.max(0, conn.now() - sent) : undefined,
    );
  }
  const own = events.handler("message");
  const listening = events.listening("message");
  const consumers = host.consumers;
  const consumed = consumers.any || (own === undefined && !listening && consumers.hold);
  // A handler that reads within the call gets a view, and no copy is made for it.
  let handler = own;
  if (own !== undefined && READ_VIEW in own) {
    try {
      own(topic, bytes.subarray(0, end));
    } catch (error) {
      host.handlerFailed(error);
    }
    handler = undefined;
  }
  // Nobody else to hand the message to (a subscriber the runner only counts): no copy of the
  // payload, an ArrayBuffer (a malloc) per message, nor of its properties.
  if (handler !== undefined || listening || consumed) {
    // The decoder's payload is a view into its read buffer: copy before anyone keeps it.
    const payload = bytes.slice(0, end).buffer;
    const info: MessageInfo = { qos: packet.qos, retain: packet.retain, dup: packet.dup };
    if (packet.packetId !== undefined) info.packetId = packet.packetId;
    if (packet.properties !== undefined) info.properties = ownProperties(packet.properties);
    if (handler !== undefined) {
      try {
        const result = handler(topic, payload, info);
        // An async handler's rejection is its throw, later.
        if (isThenable(result)) result.then(undefined, (error) => host.handlerFailed(error));
      } catch (error) {
        host.handlerFailed(error);
      }
    }
    if (listening) events.dispatch(new MqttMessageEvent(topic, payload, info));
    if (consumed) {
      const handled = own !== undefined || listening;
      if (consumers.route(topic, payload, info, packet, conn, handled)) return;
    }
  }
  if (packet.qos !== 0) inbound.acknowledge(conn, packet.qos, packet.packetId!);
}

function ownProperties(properties: Properties): Properties {
  const own = { ...properties };
  if (own.correlationData !== undefined) own.correlationData = own.correlationData.slice();
  if (own.authenticationData !== undefined) {
    own.authenticationData = own.authenticationData.slice();
  }
  return own;
}
