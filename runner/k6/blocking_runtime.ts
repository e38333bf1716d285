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

/** The arguments `forEach` gives its callback, collected from any iterable with a `forEach`. */
function collect(target: { forEach(cb: (...args: unknown[]) => void): void }): unknown[][] {
  const calls: unknown[][] = [];
  target.forEach((...args) => calls.push(args));
  return calls;
}

/**
 * `xs.forEach(f, self)` when `f` makes blocking calls: `f` runs for one element after the
 * other, each call after the previous one ended, as in k6.
 *
 * @param target An array, map, set, … (anything with a `forEach`).
 * @param callback The callback (async now).
 * @param self Its `this`.
 */
async function each(
  target: { forEach(cb: (...args: unknown[]) => void): void },
  callback: (...args: unknown[]) => unknown,
  self?: unknown,
): Promise<void> {
  for (const args of collect(target)) await callback.apply(self, args);
}

/**
 * `xs.map(f, self)` when `f` makes blocking calls: as {@linkcode each}, collecting what `f`
 * returns.
 *
 * @param target An array (or anything with `forEach` and `map`).
 * @param callback The callback (async now).
 * @param self Its `this`.
 * @returns The mapped values.
 */
async function map(
  target: { forEach(cb: (...args: unknown[]) => void): void },
  callback: (...args: unknown[]) => unknown,
  self?: unknown,
): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const args of collect(target)) out.push(await callback.apply(self, args));
  return out;
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
  const helpers = { [ITERATION_HELPERS.block]: block, [ITERATION_HELPERS.each]: each };
  Object.assign(helpers, { [ITERATION_HELPERS.map]: map });
  for (const [name, value] of Object.entries(helpers)) {
    if (name in globalThis) continue;
    Object.defineProperty(globalThis, name, { value, configurable: false, enumerable: false });
  }
}
