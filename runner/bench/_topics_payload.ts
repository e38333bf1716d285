// `--topics-payload FILE`: emqtt-bench's JSON file of topics, each published by every publisher
// on its own interval: {"topics": [{"name", "interval_ms", "QoS", "retain", "payload",
// "inject_timestamp"}]}. A payload object is sent as its JSON; inject_timestamp sets its
// "timestamp" field to the send time in ms.

import { UsageError } from "../cli/usage_error.ts";
import type { TopicSpec } from "./config.ts";

/** Reads and checks the file. */
export function readTopicsPayload(path: string): TopicSpec[] {
  let doc: unknown;
  try {
    doc = JSON.parse(Deno.readTextFileSync(path));
  } catch (e) {
    throw new UsageError(`Invalid value "${path}" for --topics-payload: ${(e as Error).message}`);
  }
  const topics = (doc as { topics?: unknown })?.topics;
  const bad = (why: string) =>
    new UsageError(`Invalid value "${path}" for --topics-payload: ${why}`);
  if (!Array.isArray(topics) || topics.length === 0) {
    throw bad(`expected {"topics": [{"name": …}, …]}`);
  }
  return topics.map((t: Record<string, unknown>, i) => {
    if (typeof t?.name !== "string" || t.name === "") throw bad(`topics[${i}] has no "name"`);
    const interval = Number(t.interval_ms ?? 1000);
    if (!Number.isInteger(interval) || interval < 0) {
      throw bad(`topics[${i}].interval_ms: expected an integer ≥ 0`);
    }
    const qos = Number(t.QoS ?? t.qos ?? 0);
    if (qos !== 0 && qos !== 1 && qos !== 2) throw bad(`topics[${i}].QoS: expected 0, 1 or 2`);
    const payload = t.payload ?? "";
    return {
      name: t.name,
      payload: typeof payload === "string" ? payload : JSON.stringify(payload),
      intervalMs: interval,
      qos,
      retain: t.retain === true,
      injectTimestamp: t.inject_timestamp === true || t.inject_timestamp === "ms",
    };
  });
}
