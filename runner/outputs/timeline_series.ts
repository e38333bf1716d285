/**
 * The series a `Timeline` (`timeline.ts`) follows by default: counters, gauges (the VU figures and
 * the clients connected), trends, and counters restricted to tag values (failed connection
 * attempts).
 *
 * @module
 */

import {
  DROPPED_ITERATIONS,
  ITERATIONS,
  MQTT_BYTES_RECEIVED,
  MQTT_BYTES_SENT,
  MQTT_CONNECT_DURATION,
  MQTT_ERRORS,
  MQTT_MESSAGE_LATENCY,
  MQTT_MESSAGES_RECEIVED,
  MQTT_MESSAGES_SENT,
  MQTT_PUBLISH_DURATION,
  VUS,
  VUS_MAX,
} from "../metrics/builtin.ts";
import { CONNECT_METHODS, METHOD_TAG } from "../metrics/live_window.ts";

/**
 * Counters the timeline follows by default.
 *
 * @example Usage
 * ```ts
 * import { TIMELINE_COUNTERS } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * assert.ok(TIMELINE_COUNTERS.includes("mqtt_messages_sent"));
 * ```
 */
export const TIMELINE_COUNTERS: readonly string[] = [
  ITERATIONS,
  DROPPED_ITERATIONS,
  MQTT_MESSAGES_SENT,
  MQTT_MESSAGES_RECEIVED,
  MQTT_ERRORS,
  MQTT_BYTES_SENT,
  MQTT_BYTES_RECEIVED,
];

/**
 * The timeline's gauge of clients connected (not a metric: the Workers report it with their
 * VU figures).
 *
 * @example Usage
 * ```ts
 * import { TIMELINE_CONNECTIONS, TIMELINE_GAUGES } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * assert.ok(TIMELINE_GAUGES.includes(TIMELINE_CONNECTIONS));
 * ```
 */
export const TIMELINE_CONNECTIONS = "connections";

/**
 * Gauges the timeline follows by default.
 *
 * @example Usage
 * ```ts
 * import { TIMELINE_GAUGES } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(TIMELINE_GAUGES, ["vus", "vus_max", "connections"]);
 * ```
 */
export const TIMELINE_GAUGES: readonly string[] = [VUS, VUS_MAX, TIMELINE_CONNECTIONS];

/**
 * A counter's series restricted to some values of a tag, such as failed connection attempts.
 *
 * @example Usage
 * ```ts
 * import { Timeline, type TaggedCounter } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * const refused: TaggedCounter = {
 *   key: "refused", metric: "mqtt_errors", tag: "method", values: ["connect"],
 * };
 * const timeline = new Timeline({ startMs: 0, counters: [], tagged: [refused] });
 * assert.deepEqual(timeline.toJSON().counters.refused, { total: [], rate: [] });
 * ```
 */
export interface TaggedCounter {
  /** The series' key in {@linkcode TimelineJSON.counters}. */
  key: string;
  /** The counter metric. */
  metric: string;
  /** The tag to look at. */
  tag: string;
  /** The tag values counted. */
  values: readonly string[];
}

/**
 * The key of the failed connection attempts in {@linkcode TIMELINE_TAGGED}, and so in the
 * timeline's counters.
 *
 * @example Usage
 * ```ts
 * import { Timeline, TIMELINE_CONNECT_FAILURES } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * assert.ok(TIMELINE_CONNECT_FAILURES in new Timeline().toJSON().counters);
 * ```
 */
export const TIMELINE_CONNECT_FAILURES = `${MQTT_ERRORS}{${METHOD_TAG}:connect}`;

/**
 * Tagged counters the timeline follows by default: `mqtt_errors{method:connect}` counts the
 * failed connection attempts (`connect` and `reconnect` methods).
 *
 * @example Usage
 * ```ts
 * import { TIMELINE_TAGGED } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(TIMELINE_TAGGED.map((c) => c.key), ["mqtt_errors{method:connect}"]);
 * ```
 */
export const TIMELINE_TAGGED: readonly TaggedCounter[] = [
  {
    key: TIMELINE_CONNECT_FAILURES,
    metric: MQTT_ERRORS,
    tag: METHOD_TAG,
    values: CONNECT_METHODS,
  },
];

/**
 * Trends the timeline follows by default (values in ms).
 *
 * @example Usage
 * ```ts
 * import { TIMELINE_TRENDS } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * assert.ok(TIMELINE_TRENDS.includes("mqtt_message_latency"));
 * ```
 */
export const TIMELINE_TRENDS: readonly string[] = [
  MQTT_CONNECT_DURATION,
  MQTT_PUBLISH_DURATION,
  MQTT_MESSAGE_LATENCY,
];
