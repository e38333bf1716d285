/**
 * Parsers for threshold configurations: k6's `options.thresholds` entries (a string, or an
 * object with `abortOnFail` and `delayAbortEval`), expressions (`p(95)<200`) and metric keys
 * with k6's submetric syntax (`mqtt_calls{method:publish}`). Durations are read by the
 * runner's one parser, `config/duration.ts`.
 *
 * A threshold configuration maps a metric key to a list of expressions:
 *
 * ```
 * config        -> { metric_key: [ threshold, … ], … }
 * metric_key    -> metric_name | metric_name "{" tag ("," tag)* "}"
 * tag           -> ws* key ws* ":" ws* value ws*     (quotes ' " around key and value are dropped)
 * threshold     -> expression | { threshold: expression, abortOnFail?: bool, delayAbortEval?: duration }
 * expression    -> ws* aggregation ws* operator ws* float ws*
 * aggregation   -> counter | gauge | rate | trend
 * counter       -> "count" | "rate"
 * gauge         -> "value"
 * rate          -> "rate"
 * trend         -> "avg" | "min" | "max" | "med" | percentile
 * percentile    -> "p(" float ")"                    (0 ≤ float ≤ 100)
 * operator      -> ">" | ">=" | "<=" | "<" | "==" | "===" | "!="
 * float         -> "-"? digit+ ("." digit+)? (("e" | "E") ("+" | "-")? digit+)?
 * duration      -> ms as a number | k6 duration string ("10s", "1m30s", "500ms", "1d", "10" = 10 ms)
 * ```
 *
 * As in k6, the operator is the first of `<=`, `<`, `>=`, `>`, `===`, `==`,
 * `!=` found in the expression; `==` and `===` mean the same.
 *
 * @module
 */

import { parseDuration } from "../config/duration.ts";
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

/** A threshold given as an object, with k6's abort options. */
export interface ThresholdConfig {
  /** The expression, such as `"p(95)<200"`. */
  threshold: string;
  /** Abort the test as soon as this threshold fails. */
  abortOnFail?: boolean;
  /** Do not abort before this much test time (ms, or a duration string such as `"10s"`). */
  delayAbortEval?: string | number;
}

/** k6's `options.thresholds`. */
export type ThresholdsConfig = Record<string, ReadonlyArray<string | ThresholdConfig>>;

/** One parsed threshold: its metric key, expression and abort options. */
export interface ThresholdEntry extends MetricKey {
  /** The expression's source. */
  source: string;
  /** The parsed expression. */
  expression: ThresholdExpression;
  /** Abort on failure. */
  abortOnFail: boolean;
  /** Minimum test time before aborting, in ms. */
  delayAbortEvalMs?: number;
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
 * import { parseThresholdExpression } from "./threshold_parser.ts";
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
 * import { parseMetricKey } from "./threshold_parser.ts";
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

/**
 * Parses one item of a metric's threshold list: an expression, or an object with k6's
 * `abortOnFail` and `delayAbortEval` (ms, or a duration as {@linkcode parseDuration} reads it).
 *
 * @param key The metric key the list belongs to.
 * @param item The expression or object.
 * @returns The parsed threshold.
 * @throws {InvalidThresholdError} When the expression or an option is malformed.
 *
 * @example Usage
 * ```ts
 * import { parseMetricKey, parseThresholdEntry } from "./threshold_parser.ts";
 * import assert from "node:assert/strict";
 *
 * const key = parseMetricKey("mqtt_errors");
 * const entry = parseThresholdEntry(key, { threshold: "count<1", abortOnFail: true, delayAbortEval: "10s" });
 * assert.equal(entry.delayAbortEvalMs, 10_000);
 * ```
 */
export function parseThresholdEntry(
  key: MetricKey,
  item: string | ThresholdConfig,
): ThresholdEntry {
  const where = `on metric "${key.key}"`;
  if (typeof item === "string") {
    return { ...key, source: item, expression: parseThresholdExpression(item), abortOnFail: false };
  }
  if (typeof item !== "object" || item === null || typeof item.threshold !== "string") {
    throw new InvalidThresholdError(
      `Invalid threshold ${JSON.stringify(item)} ${where}: expected a string or ` +
        "{ threshold, abortOnFail?, delayAbortEval? }",
    );
  }
  if (item.abortOnFail !== undefined && typeof item.abortOnFail !== "boolean") {
    throw new InvalidThresholdError(
      `Invalid abortOnFail ${JSON.stringify(item.abortOnFail)} for threshold "${item.threshold}" ` +
        `${where}: expected a boolean`,
    );
  }
  const entry: ThresholdEntry = {
    ...key,
    source: item.threshold,
    expression: parseThresholdExpression(item.threshold),
    abortOnFail: item.abortOnFail ?? false,
  };
  if (item.delayAbortEval !== undefined && item.delayAbortEval !== null) {
    const ms = parseDuration(item.delayAbortEval);
    if (ms === undefined) {
      throw new InvalidThresholdError(
        `Invalid delayAbortEval ${JSON.stringify(item.delayAbortEval)} for threshold ` +
          `"${item.threshold}" ${where}: expected ms or a duration such as "10s"`,
      );
    }
    entry.delayAbortEvalMs = ms;
  }
  return entry;
}
