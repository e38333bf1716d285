// `--topics-payload FILE`: emqtt-bench's JSON file of topics, each published by every publisher
// on its own interval: {"topics": [{"name", "interval_ms", "QoS", "retain", "payload",
// "inject_timestamp"}]}. A payload object is sent as its JSON; inject_timestamp sets its
// "timestamp" field to the send time in its unit (true: ms; "s", "ms", "us" or "ns").

import { UsageError } from "../cli/usage_error.ts";
import { filterProblem } from "../../codec/internal.ts";
import type { BenchPublish, TopicSpec } from "./config.ts";
import { MESSAGE_VARIABLES, unknownMessageVariables } from "./payload_templates.ts";

/**
 * The `-t` of `bench sub`: comma-separated topic filters, each refused as the client would
 * refuse it (after connecting, as an exception of every client) when it is not a valid filter.
 *
 * @param value The flag's value.
 * @param v5 Whether the clients speak MQTT 5 (shared subscriptions exist there).
 * @returns The filters.
 */
export function subscribeFilters(value: string, v5: boolean): string[] {
  const filters = value.split(",").map((t) => t.trim());
  for (const filter of filters) {
    const problem = filterProblem(filter, v5);
    if (problem !== undefined) {
      throw new UsageError(`Invalid value "${value}" for --topic: ${problem}`);
    }
  }
  return filters;
}

/** The flags whose values are templates that may draw `%rand_N`. */
const RANDOM_TEMPLATE_FLAGS = new Set(["topic", "username", "message"]);

/**
 * A flag's value, refused when it is a template drawing `%rand_0` (a number from 1 to 0, which
 * emqtt-bench fails on too) or a range past 2^53.
 *
 * @param flag The flag's long name.
 * @param value Its value, when given.
 * @param template Whether the value is a template (by default, for -t, -u and -m).
 * @returns The value.
 */
export function checkRandomRange(
  flag: string,
  value: string | undefined,
  template: boolean = RANDOM_TEMPLATE_FLAGS.has(flag),
): string | undefined {
  if (value === undefined || !template) return value;
  // A %rand_ with no number after it would go out as written.
  const bare = /%rand_(?!\d)/.exec(value);
  if (bare !== null) {
    throw new UsageError(`Invalid value "${value}" for --${flag}: %rand_ needs a number, %rand_N`);
  }
  for (const [draw, n] of value.matchAll(/%rand_(\d+)/g)) {
    if (Number(n) < 1 || !Number.isSafeInteger(Number(n))) {
      throw new UsageError(
        `Invalid value "${value}" for --${flag}: ${draw} draws a number from 1 to N: ` +
          `N must be an integer from 1 to ${Number.MAX_SAFE_INTEGER}`,
      );
    }
  }
  return value;
}

/**
 * Refuses what the publish templates would otherwise send as written: a `%NAME%` variable
 * mqload does not fill, emqtt-bench's `%s` topic variable (the message's sequence number),
 * `template://` messages, and a topic spec's `render` field (`%pN` paddings).
 */
export function checkPublishTemplates(publish: BenchPublish): void {
  const refuse = (flag: string, value: string, why: string) =>
    new UsageError(`Invalid value "${value}" for --${flag}: ${why}`);
  const filled = `mqload fills ${MESSAGE_VARIABLES.join(", ")}, %i, %c, %u and %rand_N`;
  const message = publish.message;
  if (message !== undefined) {
    if (message.startsWith("template://")) {
      throw refuse("message", message, "template:// files are not supported: give the text");
    }
    const unknown = unknownMessageVariables(message);
    if (unknown.length > 0) {
      throw refuse("message", message, `${unknown.join(", ")} is not supported (${filled})`);
    }
  }
  for (const topic of publish.topics ?? [{ name: publish.topic, payload: "" }]) {
    const flag = publish.topics === undefined ? "topic" : "topics-payload";
    // A publish topic names one topic: the filter wildcards are for subscriptions (the broker,
    // or the client, would refuse each publication; better said once, before connecting).
    checkRandomRange(flag, topic.name, true);
    const wildcard = /[+#]/.exec(topic.name);
    if (wildcard !== null) {
      throw refuse(flag, topic.name, `a publish topic cannot hold the wildcard ${wildcard[0]}`);
    }
    if (/%s(?![a-z])/.test(topic.name)) {
      throw refuse(flag, topic.name, "%s (the message's sequence number) is not supported");
    }
    const unknown = unknownMessageVariables(topic.payload);
    if (unknown.length > 0) {
      throw refuse(
        flag,
        topic.name,
        `its payload's ${unknown.join(", ")} is not supported (${filled})`,
      );
    }
  }
}

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
    if (t.render !== undefined) {
      throw bad(`topics[${i}].render (payload paddings, %pN) is not supported`);
    }
    const stamp = t.inject_timestamp ?? false;
    const unit = stamp === true ? "ms" : stamp;
    if (unit !== false && unit !== "s" && unit !== "ms" && unit !== "us" && unit !== "ns") {
      throw bad(`topics[${i}].inject_timestamp: expected true, false, "s", "ms", "us" or "ns"`);
    }
    const payload = t.payload ?? "";
    return {
      name: t.name,
      payload: typeof payload === "string" ? payload : JSON.stringify(payload),
      intervalMs: interval,
      qos,
      retain: t.retain === true,
      injectTimestamp: unit,
    };
  });
}
