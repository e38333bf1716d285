// Who listens to what: the single `on()` handler per event (xk6-mqtt) and a count of
// `addEventListener` listeners, so events nobody listens to cost nothing and the client knows
// whether an `error` would reach anyone.

export const EVENT_NAMES: ReadonlySet<string> = new Set([
  "connect",
  "reconnect",
  "message",
  "end",
  "error",
  "close",
]);

// deno-lint-ignore no-explicit-any
export type Handler = (...args: any[]) => unknown;

/** One `addEventListener` registration: EventTarget tells them apart by listener and capture. */
interface Registration {
  listener: EventListenerOrEventListenerObject;
  capture: boolean;
  once: boolean;
}

const captureOf = (options: boolean | EventListenerOptions | undefined): boolean =>
  typeof options === "boolean" ? options : options?.capture === true;

export class Listeners {
  readonly #target: EventTarget;
  // Created by the first on(): most clients of a load test never set one for most events.
  #handlers?: Map<string, Handler> | undefined;
  #listeners?: Map<string, Registration[]> | undefined;
  /** Where an `on()` handler's exception goes (without one: reported as uncaught). */
  failures?: { handlerFailed(error: unknown, event: string): void } | undefined;

  constructor(target: EventTarget) {
    this.#target = target;
  }

  setHandler(event: string, handler: Handler | null | undefined): void {
    if (!EVENT_NAMES.has(event)) {
      throw new TypeError(
        `Unknown event "${event}": expected connect, reconnect, message, end, error or close`,
      );
    }
    if (handler === null || handler === undefined) this.#handlers?.delete(event);
    else if (typeof handler !== "function") {
      throw new TypeError(`Invalid handler for "${event}": expected a function`);
    } else (this.#handlers ??= new Map()).set(event, handler);
  }

  handler(event: string): Handler | undefined {
    return this.#handlers?.get(event);
  }

  added(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void {
    const capture = captureOf(options);
    const once = typeof options === "object" && options.once === true;
    const signal = typeof options === "object" ? options.signal : undefined;
    if (signal?.aborted) return;
    const all: Map<string, Registration[]> = this.#listeners ??= new Map();
    let registrations: Registration[] | undefined = all.get(type);
    if (registrations === undefined) {
      registrations = [];
      all.set(type, registrations);
    }
    if (registrations.some((r) => r.listener === listener && r.capture === capture)) return;
    registrations.push({ listener, capture, once });
    signal?.addEventListener("abort", () => this.removed(type, listener, capture), {
      once: true,
    });
  }

  removed(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | EventListenerOptions,
  ): void {
    const registrations = this.#listeners?.get(type);
    if (registrations === undefined) return;
    const capture = captureOf(options);
    const i = registrations.findIndex((r) => r.listener === listener && r.capture === capture);
    if (i >= 0) registrations.splice(i, 1);
  }

  /** Whether `addEventListener` listeners exist for `type`. */
  listening(type: string): boolean {
    const registrations = this.#listeners?.get(type);
    return registrations !== undefined && registrations.length > 0;
  }

  /** Whether anyone (handler or listener) hears `type`. */
  heard(type: string): boolean {
    return this.#handlers?.has(type) === true || this.listening(type);
  }

  /** Dispatches to `addEventListener` listeners and forgets the `once` ones that fired. */
  dispatch(event: Event): void {
    const registrations = this.#listeners?.get(event.type);
    if (registrations === undefined || registrations.length === 0) return;
    this.#target.dispatchEvent(event);
    if (registrations.some((r) => r.once)) {
      this.#listeners!.set(event.type, registrations.filter((r) => !r.once));
    }
  }

  /** Calls the `on()` handler with `arg`, then dispatches `make(arg)` to listeners, if any. */
  emit<T>(type: string, arg: T, make: (arg: T) => Event): void {
    const handler = this.#handlers?.get(type);
    if (handler !== undefined) {
      const failed = (error: unknown) => {
        // Reported without breaking the client's own state.
        if (this.failures === undefined) reportError(error);
        else this.failures.handlerFailed(error, type);
      };
      try {
        // `end` handlers take no argument, as in xk6-mqtt.
        const result = arg === undefined ? handler() : handler(arg);
        // An async handler's rejection is its throw, later.
        if (isThenable(result)) result.then(undefined, failed);
      } catch (error) {
        failed(error);
      }
    }
    if (this.listening(type)) this.dispatch(make(arg));
  }
}

/**
 * Whether a handler returned a promise (or any thenable): an async handler, whose rejection
 * must reach the client's failures rather than end the program as an unhandled rejection.
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function";
}
