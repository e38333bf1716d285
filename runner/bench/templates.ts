/**
 * emqtt-bench's templates: topics with `%i` (the client's sequence number), `%c` (its client
 * id), `%u` (its username) and `%rand_N` (a random number from 1 to N, drawn anew each time),
 * and client ids (`--prefix`, `--shortids`).
 *
 * @module
 */

/** What a topic template is filled with. */
export interface TemplateValues {
  /** The client's sequence number (`%i`). */
  seq: number;
  /** The client id (`%c`). */
  clientId: string;
  /** The username (`%u`), empty when none. */
  username?: string;
}

const VARIABLE = /%rand_(\d+)|%[icu]/g;

/**
 * Fills a topic template.
 *
 * @param template Such as `bench/%i`.
 * @param values The client's values.
 * @returns The topic.
 *
 * @example Usage
 * ```ts
 * import { renderTopic } from "./templates.ts";
 * import assert from "node:assert/strict";
 * assert.equal(renderTopic("bench/%i/%c", { seq: 7, clientId: "c7" }), "bench/7/c7");
 * assert.match(renderTopic("t/%rand_10", { seq: 1, clientId: "c" }), /^t\/([1-9]|10)$/);
 * ```
 */
export function renderTopic(template: string, values: TemplateValues): string {
  if (!template.includes("%")) return template;
  return template.replace(VARIABLE, (match, space: string | undefined) => {
    if (space !== undefined) return String(1 + Math.floor(Math.random() * Number(space)));
    if (match === "%i") return String(values.seq);
    if (match === "%c") return values.clientId;
    return values.username ?? "";
  });
}

/**
 * Whether a topic template draws random numbers, so must be filled anew for each message.
 *
 * @param template The template.
 * @returns True when it has `%rand_N`.
 *
 * @example Usage
 * ```ts
 * import { isRandomTopic } from "./templates.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isRandomTopic("t/%rand_5"), true);
 * assert.equal(isRandomTopic("t/%i"), false);
 * ```
 */
export function isRandomTopic(template: string): boolean {
  return /%rand_\d+/.test(template);
}

/** How client ids are made (`--prefix`, `--shortids`). */
export interface ClientIdStyle {
  /** `--prefix`, when given. */
  prefix?: string;
  /** `--shortids`. */
  shortIds: boolean;
  /** The command: conn, pub or sub. */
  kind: string;
  /** A random number shared by the run's clients (emqtt-bench's `$RANDOM`). */
  random: number;
  /** The host name in the default ids. */
  host: string;
}

/**
 * A client id, as emqtt-bench makes it: `HOST_bench_KIND_RANDOM_N` by default,
 * `PREFIX_bench_KIND_N` with `--prefix`, `N` with `--shortids`, `PREFIXN` with both.
 *
 * @param style The run's style.
 * @param seq The client's sequence number (or `%i`, for the ids' pattern).
 * @returns The id.
 *
 * @example Usage
 * ```ts
 * import { clientId } from "./templates.ts";
 * import assert from "node:assert/strict";
 * const style = { shortIds: false, kind: "pub", random: 42, host: "h" };
 * assert.equal(clientId(style, 3), "h_bench_pub_42_3");
 * assert.equal(clientId({ ...style, prefix: "x" }, 3), "x_bench_pub_3");
 * assert.equal(clientId({ ...style, shortIds: true }, 3), "3");
 * assert.equal(clientId(style, "%i"), "h_bench_pub_42_%i");
 * ```
 */
export function clientId(style: ClientIdStyle, seq: number | string): string {
  const prefix = style.prefix ?? "";
  if (style.shortIds) return `${prefix}${seq}`;
  if (prefix !== "") return `${prefix}_bench_${style.kind}_${seq}`;
  return `${style.host}_bench_${style.kind}_${style.random}_${seq}`;
}

/**
 * A payload body of `size` bytes: the `-m` message when given (`%i` and `%c` filled, and
 * emqtt-bench's `%TIMESTAMPMS%` and `%RANDOM%` at each call), else `size` letters "a" as
 * emqtt-bench sends.
 *
 * @param message The `-m` template, or undefined.
 * @param size The `-s` size, for the default body.
 * @param values The client's values.
 * @returns The bytes.
 *
 * @example Usage
 * ```ts
 * import { messageBody } from "./templates.ts";
 * import assert from "node:assert/strict";
 * assert.equal(messageBody(undefined, 4, { seq: 1, clientId: "c" }).length, 4);
 * const text = new TextDecoder().decode(messageBody("from %i", 0, { seq: 2, clientId: "c" }));
 * assert.equal(text, "from 2");
 * ```
 */
export function messageBody(
  message: string | undefined,
  size: number,
  values: TemplateValues,
): Uint8Array {
  if (message === undefined) return new Uint8Array(size).fill(0x61);
  const now = Date.now();
  const text = renderTopic(message, values)
    .replaceAll("%TIMESTAMPMS%", String(now))
    .replaceAll("%TIMESTAMP%", String(Math.floor(now / 1000)))
    .replaceAll("%RANDOM%", String(Math.floor(Math.random() * 2 ** 32)));
  return new TextEncoder().encode(text);
}

/**
 * Whether a message template changes from one message to the next.
 *
 * @param message The `-m` template, or undefined.
 * @returns True when it has a time or random variable.
 *
 * @example Usage
 * ```ts
 * import { isChangingMessage } from "./templates.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isChangingMessage("at %TIMESTAMPMS%"), true);
 * assert.equal(isChangingMessage("hello %i"), false);
 * ```
 */
export function isChangingMessage(message: string | undefined): boolean {
  return message !== undefined && /%TIMESTAMP(MS)?%|%RANDOM%|%rand_\d+/.test(message);
}
