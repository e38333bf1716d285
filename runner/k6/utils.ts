/**
 * Stands in for k6's jslib `k6-utils` (`https://jslib.k6.io/k6-utils/…/index.js`), which many
 * k6 scripts import for test data: `randomIntBetween`, `randomItem`, `randomString`, `uuidv4`
 * and `findBetween`, so that such scripts run without fetching it.
 *
 * @example Usage
 * ```ts ignore
 * import { randomIntBetween, uuidv4 } from "https://jslib.k6.io/k6-utils/1.4.0/index.js";
 * const clientId = `sensor-${uuidv4()}`;
 * const delay = randomIntBetween(1, 5);
 * ```
 *
 * @module
 */

/**
 * A random integer from `min` to `max`, both included.
 *
 * @param min Smallest value.
 * @param max Largest value.
 * @returns The integer.
 *
 * @example Usage
 * ```ts
 * import { randomIntBetween } from "./utils.ts";
 * import assert from "node:assert/strict";
 *
 * const n = randomIntBetween(1, 3);
 * assert.ok(Number.isInteger(n) && n >= 1 && n <= 3);
 * ```
 */
export function randomIntBetween(min: number, max: number): number {
  return Math.floor(Math.random() * (max - min + 1) + min);
}

/**
 * A random element of an array.
 *
 * @param items The array.
 * @returns One of its elements (undefined when empty).
 *
 * @example Usage
 * ```ts
 * import { randomItem } from "./utils.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(["a", "b"].includes(randomItem(["a", "b"])));
 * ```
 */
export function randomItem<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)];
}

/**
 * A random string of `length` characters taken from `charset`.
 *
 * @param length How many characters.
 * @param charset The characters to pick from (default lowercase letters and digits).
 * @returns The string.
 *
 * @example Usage
 * ```ts
 * import { randomString } from "./utils.ts";
 * import assert from "node:assert/strict";
 *
 * assert.match(randomString(8, "ab"), /^[ab]{8}$/);
 * ```
 */
export function randomString(
  length: number,
  charset = "abcdefghijklmnopqrstuvwxyz0123456789",
): string {
  let out = "";
  for (let i = 0; i < length; i++) out += charset[Math.floor(Math.random() * charset.length)];
  return out;
}

/**
 * A random (version 4) UUID.
 *
 * @param _secure Ignored: the UUID always comes from the platform's secure generator.
 * @returns The UUID.
 *
 * @example Usage
 * ```ts
 * import { uuidv4 } from "./utils.ts";
 * import assert from "node:assert/strict";
 *
 * assert.match(uuidv4(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
 * ```
 */
export function uuidv4(_secure?: boolean): string {
  return crypto.randomUUID();
}

/**
 * The text between `left` and `right` in `content`: the first occurrence, or all of them.
 *
 * @param content The text to search.
 * @param left What comes just before.
 * @param right What comes just after.
 * @param repeat Return every occurrence, as an array.
 * @returns The first match (null when none), or every match with `repeat`.
 *
 * @example Usage
 * ```ts
 * import { findBetween } from "./utils.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(findBetween("<a>1</a><a>2</a>", "<a>", "</a>"), "1");
 * assert.deepEqual(findBetween("<a>1</a><a>2</a>", "<a>", "</a>", true), ["1", "2"]);
 * ```
 */
export function findBetween(
  content: string,
  left: string,
  right: string,
  repeat = false,
): string | null | string[] {
  const found: string[] = [];
  let from = 0;
  while (true) {
    const start = content.indexOf(left, from);
    if (start === -1) break;
    const end = content.indexOf(right, start + left.length);
    if (end === -1) break;
    found.push(content.slice(start + left.length, end));
    if (!repeat) break;
    from = end + right.length;
  }
  return repeat ? found : found[0] ?? null;
}

export default { randomIntBetween, randomItem, randomString, uuidv4, findBetween };
