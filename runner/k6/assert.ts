/**
 * Stands in for `k6/x/assert`, the assertion module that grafana/xk6-mqtt's own script tests
 * (`mqtt/testdata/*_test.cjs`) require: Go's testify `require.Assertions` as k6 exposes it, with
 * its method names in lower camel case (`true`, `equal`, `notNil`, …) and testify's argument
 * order (expected before actual, then an optional message and its format arguments). So those
 * scripts run unchanged. A failed assertion throws an `AssertionError`: in an iteration it fails
 * the iteration, in `setup()` or `teardown()` it fails the run (exit code 107), as it would fail
 * the Go test.
 *
 * @example Usage
 * ```js ignore
 * const assert = require("k6/x/assert");
 * assert.true(client.connected, "Client should be connected after connect call");
 * assert.equal("test/topic", topic, "Unexpected topic");
 * ```
 *
 * @module
 */

import { AssertionError } from "node:assert";
import { format, isDeepStrictEqual } from "node:util";

type Message = unknown[];

function raise(what: string, message: Message, actual?: unknown, expected?: unknown): never {
  let text = what;
  if (message.length > 0) {
    const [first, ...rest] = message;
    // testify formats like fmt.Sprintf; Go's %v and %q read as %s here.
    const said = typeof first === "string"
      ? format(first.replace(/%[vq]/g, "%s"), ...rest)
      : format(first, ...rest);
    text = `${said}: ${what}`;
  }
  throw new AssertionError({ message: text, actual, expected, operator: what });
}

function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : format("%o", value);
}

// Go's nil: JavaScript's null and undefined.
const isNil = (value: unknown): boolean => value === null || value === undefined;

function sizeOf(value: unknown): number | undefined {
  if (typeof value === "string" || Array.isArray(value)) return value.length;
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (value instanceof ArrayBuffer) return value.byteLength;
  if (value instanceof Map || value instanceof Set) return value.size;
  if (value !== null && typeof value === "object") return Object.keys(value).length;
  return undefined;
}

// testify's ObjectsAreEqual compares bytes of []byte; an ArrayBuffer (a message payload) and a
// typed array holding the same bytes are equal here too.
function bytesOf(value: unknown): Uint8Array | undefined {
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) {
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  return undefined;
}

function deepEqual(expected: unknown, actual: unknown): boolean {
  const a = bytesOf(expected);
  const b = bytesOf(actual);
  if (a !== undefined && b !== undefined) return isDeepStrictEqual(a, b);
  return isDeepStrictEqual(expected, actual);
}

function includes(container: unknown, item: unknown): boolean {
  if (typeof container === "string") return container.includes(String(item));
  if (Array.isArray(container)) return container.some((element) => deepEqual(element, item));
  if (container instanceof Map || container instanceof Set) return container.has(item);
  if (container !== null && typeof container === "object") {
    return Object.hasOwn(container, String(item));
  }
  return false;
}

function isEmpty(value: unknown): boolean {
  if (isNil(value) || value === false || value === 0 || value === "") return true;
  const size = sizeOf(value);
  return size === 0;
}

function isError(value: unknown): boolean {
  return !isNil(value) && value !== false && value !== "";
}

// testify's True/False take a Go bool, which k6's JS runtime makes of any argument with
// ToBoolean: xk6 script tests write `assert.true(err, …)` and `assert.false(err, …)` with an error
// object or null, so truthiness decides here too, not `=== true`.

/** `assert.true(value, message?)`: fails unless `value` is truthy. */
function isTrue(value: unknown, ...message: Message): void {
  if (!value) raise(`should be true, got ${show(value)}`, message, value, true);
}

/** `assert.false(value, message?)`: fails unless `value` is falsy. */
function isFalse(value: unknown, ...message: Message): void {
  if (value) raise(`should be false, got ${show(value)}`, message, value, false);
}

function compare(
  name: string,
  test: (a: number | string, b: number | string) => boolean,
): (a: number | string, b: number | string, ...message: Message) => void {
  return (a, b, ...message) => {
    if (!test(a, b)) raise(`${show(a)} is not ${name} ${show(b)}`, message, a, b);
  };
}

function equal(expected: unknown, actual: unknown, ...message: Message): void {
  if (!deepEqual(expected, actual)) {
    raise(
      `not equal: expected ${show(expected)}, actual ${show(actual)}`,
      message,
      actual,
      expected,
    );
  }
}

function equalValues(expected: unknown, actual: unknown, ...message: Message): void {
  // Go converts between types first; the closest here is == after numbers and strings meet.
  // deno-lint-ignore eqeqeq
  if (expected == actual) return;
  equal(expected, actual, ...message);
}

function exactly(expected: unknown, actual: unknown, ...message: Message): void {
  if (typeof expected !== typeof actual || !deepEqual(expected, actual)) {
    raise(
      `not exactly: expected ${show(expected)}, actual ${show(actual)}`,
      message,
      actual,
      expected,
    );
  }
}

function notEqual(expected: unknown, actual: unknown, ...message: Message): void {
  if (deepEqual(expected, actual)) {
    raise(`should not be ${show(actual)}`, message, actual, expected);
  }
}

function same(expected: unknown, actual: unknown, ...message: Message): void {
  if (expected !== actual) raise("not the same object", message, actual, expected);
}

function nil(value: unknown, ...message: Message): void {
  if (!isNil(value)) raise(`expected nil, got ${show(value)}`, message, value, null);
}

function notNil(value: unknown, ...message: Message): void {
  if (isNil(value)) raise("expected a value, got nil", message, value);
}

function empty(value: unknown, ...message: Message): void {
  if (!isEmpty(value)) raise(`should be empty, got ${show(value)}`, message, value);
}

function notEmpty(value: unknown, ...message: Message): void {
  if (isEmpty(value)) raise(`should not be empty, got ${show(value)}`, message, value);
}

function zero(value: unknown, ...message: Message): void {
  if (!isEmpty(value)) raise(`should be zero, got ${show(value)}`, message, value);
}

function notZero(value: unknown, ...message: Message): void {
  if (isEmpty(value)) raise(`should not be zero, got ${show(value)}`, message, value);
}

function len(value: unknown, length: number, ...message: Message): void {
  const size = sizeOf(value);
  if (size !== length) {
    raise(`should have ${length} item(s), has ${size ?? "no length"}`, message, size, length);
  }
}

function contains(container: unknown, item: unknown, ...message: Message): void {
  if (!includes(container, item)) {
    raise(`${show(container)} does not contain ${show(item)}`, message, container, item);
  }
}

function notContains(container: unknown, item: unknown, ...message: Message): void {
  if (includes(container, item)) {
    raise(`${show(container)} should not contain ${show(item)}`, message, container, item);
  }
}

function elementsMatch(expected: unknown[], actual: unknown[], ...message: Message): void {
  const rest = [...actual];
  const matched = expected.length === actual.length && expected.every((element) => {
    const at = rest.findIndex((candidate) => deepEqual(element, candidate));
    return at !== -1 && rest.splice(at, 1).length === 1;
  });
  if (!matched) {
    raise(`elements differ: ${show(expected)} vs ${show(actual)}`, message, actual, expected);
  }
}

function subset(list: unknown[], subset: unknown[], ...message: Message): void {
  const missing = subset.filter((element) => !includes(list, element));
  if (missing.length > 0) {
    raise(`${show(list)} does not contain ${show(missing)}`, message, list, subset);
  }
}

const greater = compare("greater than", (a, b) => a > b);

const greaterOrEqual = compare("greater than or equal to", (a, b) => a >= b);

const less = compare("less than", (a, b) => a < b);

const lessOrEqual = compare("less than or equal to", (a, b) => a <= b);

function positive(value: number, ...message: Message): void {
  if (!(value > 0)) raise(`${show(value)} is not positive`, message, value);
}

function negative(value: number, ...message: Message): void {
  if (!(value < 0)) raise(`${show(value)} is not negative`, message, value);
}

function inDelta(expected: number, actual: number, delta: number, ...message: Message): void {
  if (!(Math.abs(expected - actual) <= delta)) {
    raise(
      `difference between ${expected} and ${actual} is over ${delta}`,
      message,
      actual,
      expected,
    );
  }
}

function regexp(pattern: string | RegExp, text: unknown, ...message: Message): void {
  if (!new RegExp(pattern).test(String(text))) {
    raise(`${show(text)} does not match ${String(pattern)}`, message, text, pattern);
  }
}

function error(value: unknown, ...message: Message): void {
  if (!isError(value)) raise("an error is expected but got nil", message, value);
}

function noError(value: unknown, ...message: Message): void {
  if (isError(value)) raise(`received unexpected error: ${String(value)}`, message, value);
}

function fail(reason: string, ...message: Message): void {
  raise(reason, message);
}

function failNow(reason: string, ...message: Message): void {
  raise(reason, message);
}

export {
  contains,
  elementsMatch,
  empty,
  equal,
  equalValues,
  error,
  exactly,
  fail,
  failNow,
  greater,
  greaterOrEqual,
  inDelta,
  isFalse as false,
  isTrue as true,
  len,
  less,
  lessOrEqual,
  negative,
  nil,
  noError,
  notContains,
  notEmpty,
  notEqual,
  notNil,
  notZero,
  positive,
  regexp,
  same,
  subset,
  zero,
};

/**
 * testify's assertions under the names k6 gives them, for `import assert from "k6/x/assert"`;
 * `require("k6/x/assert")` gets the same functions as named exports. Each throws an
 * `AssertionError` when the assertion does not hold.
 *
 * @example Usage
 * ```ts
 * import assert from "./assert.ts";
 * import nodeAssert from "node:assert/strict";
 *
 * assert.equal("test/topic", "test/topic", "Unexpected topic");
 * nodeAssert.throws(() => assert.true(false, "Handler was not called"), /Handler was not called/);
 * ```
 */
const assertions = Object.freeze({
  true: isTrue,
  false: isFalse,
  equal,
  equalValues,
  exactly,
  notEqual,
  same,
  nil,
  notNil,
  empty,
  notEmpty,
  zero,
  notZero,
  len,
  contains,
  notContains,
  elementsMatch,
  subset,
  greater,
  greaterOrEqual,
  less,
  lessOrEqual,
  positive,
  negative,
  inDelta,
  regexp,
  error,
  noError,
  fail,
  failNow,
});

export default assertions;
