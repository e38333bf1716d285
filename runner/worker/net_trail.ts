/**
 * The traffic of a VU's k6 network modules (`k6/http`) between the ends of its runs, reported as
 * k6's dialer reports it: one `data_sent` and one `data_received` sample at the end of every
 * iteration, setup and teardown, 0 included, tagged as the iteration's samples. Counts per
 * request would give the same totals but other sample counts (JSON lines, InfluxDB points).
 * `k6/x/mqtt` reports its own traffic per message, as xk6-mqtt does, apart from this.
 *
 * @module
 */

import { DATA_RECEIVED, DATA_SENT } from "../metrics/builtin.ts";
import type { MetricRegistry, Tags } from "../metrics/registry.ts";

/**
 * Bytes a VU's k6 network modules sent and received since its last run ended.
 *
 * @example Usage
 * ```ts
 * import { NetTrail } from "./net_trail.ts";
 * import { MetricRegistry } from "../metrics/registry.ts";
 * import { defineBuiltins } from "../metrics/builtin.ts";
 * const registry = new MetricRegistry();
 * defineBuiltins(registry);
 * const trail = new NetTrail();
 * trail.sent += 120;
 * trail.end(registry, { scenario: "default" });
 * ```
 */
export class NetTrail {
  /** Bytes sent since the last run ended. */
  sent = 0;
  /** Bytes received since the last run ended. */
  received = 0;

  /** A run ended: records its traffic (0 included) with its tags, and starts the next. */
  end(registry: MetricRegistry, tags: Tags): void {
    registry.add(DATA_SENT, this.sent, tags);
    registry.add(DATA_RECEIVED, this.received, tags);
    this.sent = 0;
    this.received = 0;
  }
}
