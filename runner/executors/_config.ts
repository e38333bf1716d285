/**
 * What every executor shares: the base config (k6's `BaseConfig`), a strict reader of raw
 * scenario objects that collects every error, and stage validation.
 *
 * @module
 */

import { formatDuration, parseDuration } from "../config/duration.ts";
import type { ExecutionTuple } from "../segments/execution_tuple.ts";
import type { ExecutorType } from "./registry.ts";

/** k6's `BaseConfig`: the fields every scenario has. Durations are in ms. */
export interface BaseConfig {
  /** The scenario's name (its key in `options.scenarios`). */
  name: string;
  /** Executor type. */
  executor: ExecutorType;
  /** Offset from the test start (default 0). */
  startTime: number;
  /** Time running iterations get to finish once the scenario ends (default 30 s). */
  gracefulStop: number;
  /** Extra `__ENV` entries for this scenario's VUs. */
  env: Record<string, string>;
  /** Exported function to run (default `"default"`). */
  exec: string;
  /** Tags added to every sample of the scenario. */
  tags: Record<string, string>;
}

/** One ramping stage: reach `target` over `duration` ms. */
export interface Stage {
  /** Stage length in ms. */
  duration: number;
  /** VUs (ramping-vus) or iterations per time unit (ramping-arrival-rate) at its end. */
  target: number;
}

/** k6's shortest duration for time-bound executors. */
export const MIN_DURATION_MS = 1000;

const BASE_KEYS = ["executor", "startTime", "gracefulStop", "env", "exec", "tags"];
const NAME_RE = /^[0-9a-zA-Z_-]+$/;

/**
 * Reads a raw scenario object field by field, recording every problem instead of stopping at
 * the first, and rejecting unknown fields (k6 decodes scenarios strictly).
 */
export class ConfigReader {
  readonly errors: string[] = [];
  readonly #raw: Record<string, unknown>;

  /**
   * @param raw The scenario object.
   * @param keys Executor-specific fields (the base ones are always allowed).
   */
  constructor(raw: Record<string, unknown>, keys: readonly string[]) {
    this.#raw = raw;
    const allowed = new Set([...BASE_KEYS, ...keys]);
    for (const key of Object.keys(raw)) {
      if (!allowed.has(key)) this.errors.push(`unknown option "${key}"`);
    }
  }

  /** Whether the field is present (and not null). */
  has(key: string): boolean {
    return this.#raw[key] !== undefined && this.#raw[key] !== null;
  }

  /** An integer field; `undefined` when absent and no default. */
  int(key: string, fallback?: number): number | undefined {
    const v = this.#raw[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== "number" || !Number.isSafeInteger(v)) {
      this.errors.push(`${key} must be an integer, got ${JSON.stringify(v)}`);
      return fallback;
    }
    return v;
  }

  /** A duration field (string such as `"30s"`, or ms). */
  duration(key: string, fallback?: number): number | undefined {
    const v = this.#raw[key];
    if (v === undefined || v === null) return fallback;
    const ms = parseDuration(v);
    if (ms === undefined) {
      this.errors.push(`${key} must be a duration such as "30s", got ${JSON.stringify(v)}`);
      return fallback;
    }
    return ms;
  }

  /** A string-to-string map field. */
  strings(key: string): Record<string, string> {
    const v = this.#raw[key];
    if (v === undefined || v === null) return {};
    if (typeof v !== "object" || Array.isArray(v)) {
      this.errors.push(`${key} must be an object of strings`);
      return {};
    }
    const out: Record<string, string> = {};
    for (const [k, value] of Object.entries(v)) {
      if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
        this.errors.push(`${key}.${k} must be a string`);
      } else out[k] = String(value);
    }
    return out;
  }

  /** A `[{duration, target}]` field. */
  stages(key: string): Stage[] {
    const v = this.#raw[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.errors.push(`${key} must be an array of { duration, target }`);
      return [];
    }
    return v.map((s, i) => {
      const duration = parseDuration(s?.duration);
      const target = s?.target ?? 0;
      if (duration === undefined) {
        this.errors.push(
          `${key}[${i}].duration must be a duration, got ${JSON.stringify(s?.duration)}`,
        );
      }
      if (typeof target !== "number" || !Number.isSafeInteger(target)) {
        this.errors.push(`${key}[${i}].target must be an integer, got ${JSON.stringify(target)}`);
      }
      return { duration: duration ?? 0, target: typeof target === "number" ? target : 0 };
    });
  }

  /** The base fields, with k6's defaults. */
  base(name: string, executor: ExecutorType): BaseConfig {
    const exec = this.#raw.exec;
    if (exec !== undefined && typeof exec !== "string") {
      this.errors.push(`exec must be a string, got ${JSON.stringify(exec)}`);
    }
    return {
      name,
      executor,
      startTime: this.duration("startTime", 0)!,
      gracefulStop: this.duration("gracefulStop", 30_000)!,
      env: this.strings("env"),
      exec: typeof exec === "string" ? exec : "default",
      tags: this.strings("tags"),
    };
  }
}

/**
 * k6's `BaseConfig.Validate`.
 *
 * @param c The base config.
 * @returns Every problem found.
 */
export function validateBase(c: BaseConfig): string[] {
  const errors: string[] = [];
  if (c.name === "") errors.push("executor name shouldn't be empty");
  else if (!NAME_RE.test(c.name)) {
    errors.push(
      "the executor name should contain only numbers, latin letters, underscores, and dashes",
    );
  }
  if (c.exec === "") errors.push("exec value cannot be empty");
  if (c.startTime < 0) errors.push("the startTime can't be negative");
  if (c.gracefulStop < 0) errors.push("the gracefulStop timeout can't be negative");
  return errors;
}

/**
 * k6's `validateStages`.
 *
 * @param stages The stages.
 * @returns Every problem found.
 */
export function validateStages(stages: readonly Stage[]): string[] {
  const errors: string[] = [];
  if (stages.length === 0) errors.push("at least one stage has to be specified");
  stages.forEach((s, i) => {
    if (s.duration < 0) errors.push(`the duration for stage ${i + 1} can't be negative`);
    if (s.target < 0) errors.push(`the target for stage ${i + 1} can't be negative`);
  });
  return errors;
}

/** The sum of the stages' durations, in ms. */
export function stagesDuration(stages: readonly Stage[]): number {
  return stages.reduce((sum, s) => sum + s.duration, 0);
}

/** k6's `getBaseInfo`: `" (exec: x, startTime: 5s, gracefulStop: 30s)"`. */
export function baseInfo(c: BaseConfig, ...facts: string[]): string {
  if (c.exec !== "default") facts.push(`exec: ${c.exec}`);
  if (c.startTime > 0) facts.push(`startTime: ${formatDuration(c.startTime)}`);
  if (c.gracefulStop > 0) facts.push(`gracefulStop: ${formatDuration(c.gracefulStop)}`);
  return facts.length === 0 ? "" : ` (${facts.join(", ")})`;
}

/** The VUs of executors with a fixed count: `vus`, all initialized before the test. */
export function fixedVus(c: { vus: number }, t: ExecutionTuple): { planned: number; max: number } {
  const n = t.scaleInt(c.vus);
  return { planned: n, max: n };
}

/** The VUs of arrival-rate executors: `preAllocatedVUs` before the test, up to `maxVUs`. */
export function arrivalVus(
  c: { preAllocatedVUs?: number; maxVUs: number },
  t: ExecutionTuple,
): { planned: number; max: number } {
  return { planned: t.scaleInt(c.preAllocatedVUs ?? 0), max: t.scaleInt(c.maxVUs) };
}
