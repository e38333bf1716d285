/**
 * The errors the client raises. Every MQTT failure is an {@linkcode MqttError} (its `name` is
 * `"MQTTError"`, as in the xk6-mqtt contract) with a `code`, the `method` that failed and, when the
 * broker sent one, the `reasonCode`; subclasses mark the conditions callers usually catch.
 *
 * | class               | `code`      | when                                                      |
 * |---------------------|-------------|-----------------------------------------------------------|
 * | `MqttConnectError`  | `"refused"` | the broker answered CONNECT with a failure                |
 * | `MqttTimeoutError`  | `"timeout"` | no CONNACK in time, or no PINGRESP within the keepalive   |
 * | `MqttClosedError`   | `"closed"`  | not connected, connection lost, or the client was ended   |
 * | `MqttProtocolError` | `"protocol"`| the broker broke the protocol                             |
 * | `MqttError`         | `"tls"`     | the TLS handshake failed: the broker's certificate is not trusted or not for its name, or the broker refused ours |
 * | `MqttError`         | `"refused"`, `"packet_too_large"`, `"queue_full"`, …  | other failures  |
 *
 * @module
 */

import { MqttError, type MqttErrorOptions } from "../codec/errors.ts";

export { MqttError, type MqttErrorOptions, MqttProtocolError } from "../codec/errors.ts";

/**
 * The broker refused the connection: CONNACK carried a failure return code (3.1.1) or reason
 * code (5.0). `reasonCode` holds it; a v5 reason string is part of the message.
 *
 * @example Usage
 * ```ts
 * import { MqttConnectError } from "@mqload/mqload";
 * import assert from "node:assert/strict";
 * const error = new MqttConnectError("Cannot connect: 0x87 Not authorized", { reasonCode: 0x87 });
 * assert.equal(error.code, "refused");
 * assert.equal(error.method, "connect");
 * ```
 */
export class MqttConnectError extends MqttError {
  /** The CONNACK return code (3.1.1) or reason code (5.0). */
  declare readonly reasonCode: number;
  /** The v5 Server Reference the broker sent with 0x9C/0x9D (use another server), if any. */
  readonly serverReference?: string | undefined;

  /**
   * Creates a connect refusal.
   *
   * @param message What the broker said, reason string included.
   * @param options The reason code, an optional server reference, method (default `"connect"`)
   * and cause.
   */
  constructor(
    message: string,
    options: Omit<MqttErrorOptions, "code" | "reasonCode"> & {
      reasonCode: number;
      serverReference?: string | undefined;
    },
  ) {
    super(message, { ...options, code: "refused", method: options.method ?? "connect" });
    if (options.serverReference !== undefined) this.serverReference = options.serverReference;
  }
}

/**
 * An operation did not complete in time: CONNACK after `connect_timeout`, or PINGRESP after a
 * keepalive ping.
 *
 * @example Usage
 * ```ts
 * import { MqttTimeoutError } from "@mqload/mqload";
 * import assert from "node:assert/strict";
 * const error = new MqttTimeoutError("Cannot connect: no CONNACK within 10000 ms", { method: "connect" });
 * assert.equal(error.code, "timeout");
 * ```
 */
export class MqttTimeoutError extends MqttError {
  /**
   * Creates a timeout error.
   *
   * @param message What timed out.
   * @param options Method and cause.
   */
  constructor(message: string, options: Omit<MqttErrorOptions, "code"> = {}) {
    super(message, { ...options, code: "timeout" });
  }
}

/**
 * The operation cannot complete because there is no connection: the client is not connected, the
 * connection was lost (by the network, or by a broker DISCONNECT whose reason code is kept in
 * `reasonCode`), or the client was ended.
 *
 * @example Usage
 * ```ts
 * import { MqttClosedError } from "@mqload/mqload";
 * import assert from "node:assert/strict";
 * const error = new MqttClosedError("Cannot publish: not connected", { method: "publish" });
 * assert.equal(error.code, "closed");
 * ```
 */
export class MqttClosedError extends MqttError {
  /** The v5 Server Reference of a broker DISCONNECT (use another server), if any. */
  readonly serverReference?: string | undefined;

  /**
   * Creates a closed-connection error.
   *
   * @param message Why there is no connection.
   * @param options Method, broker reason code, server reference and cause.
   */
  constructor(
    message: string,
    options: Omit<MqttErrorOptions, "code"> & { serverReference?: string | undefined } = {},
  ) {
    super(message, { ...options, code: "closed" });
    if (options.serverReference !== undefined) this.serverReference = options.serverReference;
  }
}
