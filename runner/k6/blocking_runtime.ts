/**
 * The helpers a script transformed for k6's blocking semantics calls (see
 * `runner/script/blocking/transform.ts`), installed as globals of the Worker so that every
 * module of the script, ES or CommonJS, reaches them without an import.
 *
 * @module
 */

import { ITERATION_HELPERS } from "../script/blocking/edits.ts";
import { vuStorage } from "../worker/vu_context.ts";

/**
 * Marks a k6 call the script now awaits where k6 would block: the VU's event callbacks wait
 * for it (see `VuEventLoop.block`). A value that is not a promise passes through.
 *
 * @param value What the call returned.
 * @returns The value, or a promise settling as it does.
 */
function block<T>(value: T): T | Promise<Awaited<T>> {
  if (!(value instanceof Promise)) return value;
  const vu = vuStorage.getStore();
  return vu === undefined ? value : vu.loop.block(value as Promise<Awaited<T>>);
}

type Callback = (...args: unknown[]) => unknown;
type Iterable = { forEach(cb: (...args: unknown[]) => void): void };

/** The arguments `forEach` gives its callback, from anything with a `forEach` (array, map, set). */
function collect(target: Iterable): unknown[][] {
  const calls: unknown[][] = [];
  target.forEach((...args) => calls.push(args));
  return calls;
}

/**
 * `xs.method(f, …)` (or `Array.from(xs, f)`) when `f` makes blocking calls: `f` runs for one
 * element after another, each after the previous one ended, as in k6, and the result is what
 * the method returns with `f`'s results.
 *
 * @param method `forEach`, `map`, `filter`, `some`, `every`, `find`, `findIndex`, `reduce`,
 * `flatMap` or `from`.
 * @param target The receiver (the source, for `from`).
 * @param callback The callback (async now).
 * @param rest `thisArg`, or `reduce`'s initial value.
 * @returns What the method returns.
 */
async function iterate(
  method: string,
  target: unknown,
  callback: Callback,
  ...rest: unknown[]
): Promise<unknown> {
  if (method === "from") {
    const out: unknown[] = [];
    let i = 0;
    for (const item of Array.from(target as ArrayLike<unknown>)) {
      out.push(await callback(item, i++));
    }
    return out;
  }
  if (method === "reduce") return await reduce(target as unknown[], callback, rest);
  const self = rest[0];
  const calls = collect(target as Iterable);
  const results: unknown[] = [];
  for (const args of calls) {
    const result = await callback.apply(self, args);
    results.push(result);
    if (method === "some" && result) return true;
    if (method === "every" && !result) return false;
    if (method === "find" && result) return args[0];
    if (method === "findIndex" && result) return args[1];
  }
  switch (method) {
    case "map":
      return results;
    case "filter":
      return calls.filter((_, i) => results[i]).map((args) => args[0]);
    case "flatMap":
      return results.flat();
    case "some":
      return false;
    case "every":
      return true;
    case "find":
      return undefined;
    case "findIndex":
      return -1;
    default:
      return undefined; // forEach
  }
}

async function reduce(target: unknown[], callback: Callback, rest: unknown[]): Promise<unknown> {
  const items = Array.from(target);
  let i = 0;
  let accumulator: unknown;
  if (rest.length > 0) accumulator = rest[0];
  else if (items.length === 0) throw new TypeError("Reduce of empty array with no initial value");
  else accumulator = items[i++];
  for (; i < items.length; i++) accumulator = await callback(accumulator, items[i], i, target);
  return accumulator;
}

/**
 * Installs the helpers on `globalThis` (once per Worker).
 *
 * @example Usage
 * ```ts
 * import { installBlockingHelpers } from "./blocking_runtime.ts";
 * installBlockingHelpers();
 * ```
 */
export function installBlockingHelpers(): void {
  const helpers = { [ITERATION_HELPERS.block]: block, [ITERATION_HELPERS.iterate]: iterate };
  for (const [name, value] of Object.entries(helpers)) {
    if (name in globalThis) continue;
    Object.defineProperty(globalThis, name, { value, configurable: false, enumerable: false });
  }
}
