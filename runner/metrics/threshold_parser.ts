/**
 * Parsers for threshold configurations: expressions (`p(95)<200`), metric
 * keys with k6's submetric syntax (`mqtt_calls{method:publish}`) and k6
 * durations. The grammar, as BNF, is in `thresholds.ts`.
 *
 * @module
 */

import type { Tags } from "./types.ts";

/** A parsed expression. */
export interface ThresholdExpression {
  /** `count`, `rate`, `value`, `avg`, `min`, `max`, `med` or `p`. */
  aggregation: string;
  /** For `p`: the percentile (95 for `p(95)`). */
  percentile?: number;
  /** The operator. */
  operator: ">" | ">=" | "<=" | "<" | "==" | "===" | "!=";
  /** The right-hand side. */
  value: number;
}

/** A parsed metric key: `name` or `name{key:value,…}`. */
export interface MetricKey {
  /** The key as the summary writes it. */
  key: string;
  /** The parent metric's name. */
  name: string;
  /** The submetric's tag filter (empty for the whole metric). */
  filter: Tags;
}

/**
 * A threshold configuration that k6 would reject. The CLI exits with
 * {@linkcode InvalidThresholdError.exitCode} (k6's 104, invalid config).
 *
 * @example Usage
 * ```ts
 * import { InvalidThresholdError, parseThresholds } from "./thresholds.ts";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => parseThresholds({ checks: ["rate=1"] }), InvalidThresholdError);
 * ```
 */
export class InvalidThresholdError extends TypeError {
  /** k6's exit code for an invalid configuration. */
  readonly exitCode: 104 = 104;
  /**
   * Creates the error.
   *
   * @param message What is wrong, naming the metric and expression.
   */
  constructor(message: string) {
    super(message);
    this.name = "InvalidThresholdError";
  }
}

const OPERATORS = ["<=", "<", ">=", ">", "===", "==", "!="] as const;
const AGGREGATIONS = ["value", "count", "rate", "avg", "min", "med", "max"];
const FLOAT_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Parses one threshold expression.
 *
 * @param input For example `"p(95) < 200"`.
 * @returns The parsed expression.
 * @throws {InvalidThresholdError} When the expression is malformed.
 *
 * @example Usage
 * ```ts
 * import { parseThresholdExpression } from "./thresholds.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseThresholdExpression("p(99.9) <= 250"), {
 *   aggregation: "p",
 *   percentile: 99.9,
 *   operator: "<=",
 *   value: 250,
 * });
 * ```
 */
export function parseThresholdExpression(input: string): ThresholdExpression {
  if (typeof input !== "string") {
    throw new InvalidThresholdError(`Invalid threshold ${String(input)}: expected a string`);
  }
  const fail = (reason: string): never => {
    throw new InvalidThresholdError(`Invalid threshold expression "${input}": ${reason}`);
  };
  const operator = OPERATORS.find((op) => input.includes(op));
  if (operator === undefined) {
    return fail('malformed, expected "aggregation operator value" such as "p(95)<200"');
  }
  const at = input.indexOf(operator);
  const lhs = input.slice(0, at).trim();
  const rhs = input.slice(at + operator.length).trim();
  let aggregation = lhs;
  let percentile: number | undefined;
  if (!AGGREGATIONS.includes(lhs)) {
    const inner = /^p\((.*)\)$/.exec(lhs)?.[1];
    if (inner === undefined) {
      return fail(
        `unknown aggregation "${lhs}", expected count, rate, value, avg, min, med, max or p(N)`,
      );
    }
    percentile = FLOAT_RE.test(inner) ? Number(inner) : NaN;
    if (!(percentile >= 0 && percentile <= 100)) {
      return fail(`malformed percentile "${lhs}", expected p(N) with N from 0 to 100`);
    }
    aggregation = "p";
  }
  if (!FLOAT_RE.test(rhs)) return fail(`"${rhs}" is not a number`);
  return percentile === undefined
    ? { aggregation, operator, value: Number(rhs) }
    : { aggregation, percentile, operator, value: Number(rhs) };
}

/**
 * Parses a threshold's metric key, `name` or k6's submetric `name{key:value,…}`.
 *
 * @param input The key.
 * @returns The parent metric's name, the tag filter and the normalised key.
 * @throws {InvalidThresholdError} When braces or tags are malformed.
 *
 * @example Usage
 * ```ts
 * import { parseMetricKey } from "./thresholds.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseMetricKey("mqtt_calls{method:publish}"), {
 *   key: "mqtt_calls{method:publish}",
 *   name: "mqtt_calls",
 *   filter: { method: "publish" },
 * });
 * ```
 */
export function parseMetricKey(input: string): MetricKey {
  const open = input.indexOf("{");
  const close = input.lastIndexOf("}");
  if (open === -1 && close === -1) return { key: input, name: input, filter: {} };
  const fail = (reason: string): never => {
    throw new InvalidThresholdError(`Invalid metric "${input}" in thresholds: ${reason}`);
  };
  if (open === -1 || close === -1) return fail("unmatched opening or closing curly brace");
  if (close < open) return fail("closing curly brace appears before opening one");
  if (close !== input.length - 1) return fail("the closing curly brace must be last");
  const name = input.slice(0, open);
  const inner = input.slice(open + 1, close).trim();
  if (inner === "") return fail("submetric criteria cannot be empty");
  const filter: Tags = {};
  for (const part of inner.split(",")) {
    const colon = part.indexOf(":");
    if (colon === -1 || part.slice(colon + 1).trim() === "") {
      return fail(`tag expression "${part}" is malformed, expected key:value`);
    }
    const key = trimQuotes(part.slice(0, colon));
    if (key === "") return fail(`tag expression "${part}" has an empty key`);
    filter[key] = trimQuotes(part.slice(colon + 1));
  }
  return { key: `${name}{${inner}}`, name, filter };
}

function trimQuotes(s: string): string {
  return s.trim().replace(/^["']+|["']+$/g, "").trim();
}

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  "μs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * Parses a k6 duration: a number of milliseconds, or a Go duration string
 * with k6's `d` unit (`"1m30s"`, `"500ms"`, `"1.5h"`, `"2d"`).
 *
 * @param input The duration.
 * @returns Milliseconds, or undefined when `input` is not a duration.
 *
 * @example Usage
 * ```ts
 * import { parseDurationMs } from "./thresholds.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseDurationMs("1m30s"), 90_000);
 * assert.equal(parseDurationMs(250), 250);
 * assert.equal(parseDurationMs("soon"), undefined);
 * ```
 */
export function parseDurationMs(input: string | number): number | undefined {
  if (typeof input === "number") return Number.isFinite(input) && input >= 0 ? input : undefined;
  if (typeof input !== "string") return undefined;
  const s = input.trim();
  if (s === "0") return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d)/y;
  let total = 0;
  let at = 0;
  while (at < s.length) {
    re.lastIndex = at;
    const m = re.exec(s);
    if (m === null) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]];
    at = re.lastIndex;
  }
  return at > 0 ? total : undefined;
}
