/**
 * The error classes of mqload. `MqttError` is the base of every MQTT failure; its `name` is
 * `"MQTTError"` as in the xk6-mqtt contract. Bad arguments throw the built-in `TypeError` or
 * `RangeError` instead.
 *
 * @module
 */

/**
 * Options of {@linkcode MqttError}.
 *
 * @example Usage
 * ```ts
 * import type { MqttErrorOptions } from "@mqload/mqload/codec";
 * const options: MqttErrorOptions = { code: "timeout", method: "connect" };
 * ```
 */
export interface MqttErrorOptions {
  /** A stable, machine-readable code such as `"refused"`, `"timeout"`, `"closed"`, `"protocol"`. */
  code?: string | undefined;
  /** The MQTT 5 reason code (or v3 return code) the broker sent, when there is one. */
  reasonCode?: number | undefined;
  /** The client method that failed: `"connect"`, `"publish"`, `"subscribe"`, … */
  method?: string | undefined;
  /** Every reason code of a SUBACK or UNSUBACK, one per topic filter in request order. */
  reasonCodes?: readonly number[] | undefined;
  /** The underlying error. */
  cause?: unknown | undefined;
}

/**
 * An MQTT failure: a broker refusal, a protocol violation, a timeout or a lost connection.
 *
 * @example Usage
 * ```ts
 * import { MqttError } from "@mqload/mqload/codec";
 * import assert from "node:assert/strict";
 * const error = new MqttError("not authorized", { code: "refused", reasonCode: 0x87, method: "connect" });
 * assert.equal(error.name, "MQTTError");
 * assert.equal(error.reasonCode, 0x87);
 * ```
 */
export class MqttError extends Error {
  /** A stable, machine-readable code. */
  readonly code: string;
  /** The reason code the broker sent, when there is one. */
  readonly reasonCode?: number | undefined;
  /** The client method that failed, when known. */
  readonly method?: string | undefined;
  /**
   * Every reason code of a refused SUBACK or UNSUBACK, one per topic filter in request order, so a
   * caller sees which filters were granted and which refused.
   */
  readonly reasonCodes?: readonly number[] | undefined;

  /**
   * Creates an MQTT error.
   *
   * @param message What went wrong, in std's message style (sentence case, no final period).
   * @param options Code, reason code, method and cause.
   */
  constructor(message: string, options: MqttErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "MQTTError";
    this.code = options.code ?? "error";
    if (options.reasonCode !== undefined) this.reasonCode = options.reasonCode;
    if (options.method !== undefined) this.method = options.method;
    if (options.reasonCodes !== undefined) this.reasonCodes = options.reasonCodes;
  }

  /**
   * The error as JSON: `name`, `message` (which `Error` keeps out of `JSON.stringify`), `code`,
   * and the other fields set, so logs and NDJSON lines say what happened.
   *
   * @returns A plain object.
   *
   * @example Usage
   * ```ts
   * import { MqttError } from "@mqload/mqload/codec";
   * import assert from "node:assert/strict";
   * const error = new MqttError("Not authorized", { code: "refused", reasonCode: 0x87 });
   * assert.deepEqual(JSON.parse(JSON.stringify(error)), {
   *   name: "MQTTError",
   *   message: "Not authorized",
   *   code: "refused",
   *   reasonCode: 0x87,
   * });
   * ```
   */
  toJSON(): Record<string, unknown> {
    // Own fields (`code`, `reasonCode`, a subclass's extras); `message` is not enumerable.
    return { name: this.name, message: this.message, ...Object.fromEntries(Object.entries(this)) };
  }
}

/**
 * A packet that breaks the MQTT specification. `reasonCode` is the MQTT 5 reason code that
 * describes it, by default 0x81 Malformed Packet (0x82 Protocol Error, 0x95 Packet Too Large).
 *
 * @example Usage
 * ```ts
 * import { MqttProtocolError } from "@mqload/mqload/codec";
 * import assert from "node:assert/strict";
 * const error = new MqttProtocolError("Variable byte integer exceeds 4 bytes");
 * assert.equal(error.reasonCode, 0x81);
 * assert.equal(error.code, "protocol");
 * ```
 */
export class MqttProtocolError extends MqttError {
  /** The MQTT 5 reason code of the violation. */
  declare readonly reasonCode: number;

  /**
   * Creates a protocol error.
   *
   * @param message What is wrong with the packet.
   * @param reasonCode MQTT 5 reason code, 0x81 (Malformed Packet) by default.
   * @param options Method and cause.
   */
  constructor(
    message: string,
    reasonCode = 0x81,
    options: Omit<MqttErrorOptions, "code" | "reasonCode"> = {},
  ) {
    super(message, { ...options, code: "protocol", reasonCode });
  }
}
