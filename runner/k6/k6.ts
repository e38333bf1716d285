/**
 * The `k6` module of scripts run by `mqload run`: `check`, `sleep`, `group`, `fail`,
 * `randomSeed`, with k6's metrics (`checks`, `group_duration`) and tags.
 *
 * `sleep()` returns a Promise (Deno cannot block a VU that shares its thread with others); the
 * script transform (`runner/script/blocking/`) awaits the calls a sync-style script makes. One
 * that stays un-awaited (where the transform cannot wait) still keeps the iteration alive until
 * it ends, consecutive ones add up, and `k6/x/mqtt` calls made meanwhile start when it ends, in
 * call order.
 *
 * @example Usage
 * ```ts ignore
 * import { check, group, sleep } from "k6";
 *
 * export default async function () {
 *   await group("publish", async () => {
 *     check(1 + 1, { "adds up": (n) => n === 2 });
 *   });
 *   await sleep(0.5);
 * }
 * ```
 *
 * @module
 */

import { CHECKS, GROUP_DURATION } from "../metrics/builtin.ts";
import { currentVu } from "../worker/vu_context.ts";

/** A check's condition: a predicate on the value, or a fixed result. */
export type Checker<T> = ((value: T) => unknown) | boolean;

/**
 * Runs checks on a value: each records a `checks` sample (1 when truthy) tagged with the
 * check's name and group.
 *
 * @param value The value checked.
 * @param sets Check names to predicates (or booleans).
 * @param tags Extra tags for the samples.
 * @returns True when every check passed.
 * @throws {TypeError} Outside a VU, or when a predicate returns a Promise.
 *
 * @example Usage
 * ```ts ignore
 * import { check } from "k6";
 * check(200, { "is ok": (s) => s === 200 });
 * ```
 */
export function check<T>(
  value: T,
  sets: Record<string, Checker<T>>,
  tags?: Record<string, string>,
): boolean {
  const vu = currentVu("check()");
  if (typeof (value as { then?: unknown } | null)?.then === "function") {
    vu.services.warn(
      "check() was given a Promise: a value the script did not wait for (an …Async call, or a " +
        "function the warnings at load name); await it before checking what it holds",
    );
  }
  let all = true;
  for (const [name, checker] of Object.entries(sets)) {
    const result = typeof checker === "function" ? checker(value) : checker;
    if (result instanceof Promise) {
      throw new TypeError(`check "${name}" returned a Promise: checks must be synchronous`);
    }
    const ok = Boolean(result);
    if (!ok) all = false;
    const base = vu.checkTags(name);
    vu.services.registry.add(CHECKS, ok ? 1 : 0, tags ? { ...base, ...tags } : base);
  }
  return all;
}

/**
 * Waits `seconds` (fractions allowed).
 *
 * @param seconds How long.
 * @returns Resolves after the pause. Un-awaited calls chain: the second starts when the first ends.
 * @throws {TypeError} When `seconds` is not a non-negative number.
 *
 * @example Usage
 * ```ts ignore
 * import { sleep } from "k6";
 * await sleep(0.1);
 * ```
 */
export function sleep(seconds: number): Promise<void> {
  const ms = Number(seconds) * 1000;
  if (!Number.isFinite(ms) || ms < 0) {
    throw new TypeError(`Invalid sleep(${seconds}): expected a non-negative number of seconds`);
  }
  const vu = currentVu("sleep()");
  const now = performance.now();
  const start = Math.max(now, vu.sleepEnd);
  vu.sleepEnd = start + ms;
  // A timer the iteration waits for, and whose end no event callback of the VU delays.
  const timer = vu.delay(vu.sleepEnd - now);
  // Each sleep ends after the one before (timers of one millisecond may fire in any order), and
  // calls waiting for it start in the order they were made (see `_mqtt_blocking.ts`).
  const previous = vu.sleepGate;
  const gate = previous === undefined ? timer : Promise.all([previous, timer]).then(() => {});
  vu.sleepGate = gate;
  return gate.then(() => {
    if (vu.sleepGate === gate) {
      vu.sleepGate = undefined;
      vu.sleepEnd = 0;
    }
  });
}

/**
 * Runs `fn` in a named group: its checks and samples carry the group path, and its duration
 * goes to `group_duration`.
 *
 * @param name Group name (no `::`).
 * @param fn The group's code; if it returns a Promise, the group ends when it settles.
 * @returns What `fn` returns.
 * @throws {TypeError} When the name contains `::` or is empty.
 *
 * @example Usage
 * ```ts ignore
 * import { group } from "k6";
 * group("connect", () => {});
 * ```
 */
export function group<T>(name: string, fn: () => T): T {
  if (typeof name !== "string" || name === "" || name.includes("::")) {
    throw new TypeError(`Invalid group name "${name}": it must be non-empty and not contain "::"`);
  }
  const vu = currentVu("group()");
  const parent = vu.group;
  vu.group = `${parent}::${name}`;
  const start = performance.now();
  const end = () => {
    const tags = { ...vu.tags, group: vu.group };
    vu.services.registry.add(GROUP_DURATION, performance.now() - start, tags);
    vu.group = parent;
  };
  let result: T;
  try {
    result = fn();
  } catch (error) {
    end();
    throw error;
  }
  if (result instanceof Promise) return result.finally(end) as T;
  end();
  return result;
}

/**
 * Fails the current iteration (throws), as k6's `fail`.
 *
 * @param message The reason.
 * @returns Never.
 * @throws {Error} Always.
 *
 * @example Usage
 * ```ts ignore
 * import { fail } from "k6";
 * fail("broker refused the connection");
 * ```
 */
export function fail(message?: string): never {
  throw new Error(message ?? "");
}

/**
 * Accepted for compatibility; mqload does not reseed `Math.random`.
 *
 * @param _seed Ignored.
 */
export function randomSeed(_seed: number): void {}

/** For `import k6 from "k6"`. */
const k6: {
  check: typeof check;
  sleep: typeof sleep;
  group: typeof group;
  fail: typeof fail;
  randomSeed: typeof randomSeed;
} = { check, sleep, group, fail, randomSeed };
export default k6;
