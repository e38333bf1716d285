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

export class Listeners {
  readonly #target: EventTarget;
  readonly #handlers = new Map<string, Handler>();
  /** Listener → registered with `once`. */
  #listeners?: Map<string, Map<EventListenerOrEventListenerObject, boolean>>;

  constructor(target: EventTarget) {
    this.#target = target;
  }

  setHandler(event: string, handler: Handler | null | undefined): void {
    if (!EVENT_NAMES.has(event)) {
      throw new TypeError(
        `Unknown event "${event}": expected connect, reconnect, message, end, error or close`,
      );
    }
    if (handler === null || handler === undefined) this.#handlers.delete(event);
    else if (typeof handler !== "function") {
      throw new TypeError(`Invalid handler for "${event}": expected a function`);
    } else this.#handlers.set(event, handler);
  }

  handler(event: string): Handler | undefined {
    return this.#handlers.get(event);
  }

  added(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void {
    const once = typeof options === "object" && options.once === true;
    const signal = typeof options === "object" ? options.signal : undefined;
    if (signal?.aborted) return;
    const all = this.#listeners ??= new Map();
    let listeners = all.get(type);
    if (listeners === undefined) all.set(type, listeners = new Map());
    if (listeners.has(listener)) return;
    listeners.set(listener, once);
    signal?.addEventListener("abort", () => this.removed(type, listener), { once: true });
  }

  removed(type: string, listener: EventListenerOrEventListenerObject): void {
    this.#listeners?.get(type)?.delete(listener);
  }

  /** Whether `addEventListener` listeners exist for `type`. */
  listening(type: string): boolean {
    const listeners = this.#listeners?.get(type);
    return listeners !== undefined && listeners.size > 0;
  }

  /** Whether anyone (handler or listener) hears `type`. */
  heard(type: string): boolean {
    return this.#handlers.has(type) || this.listening(type);
  }

  /** Dispatches to `addEventListener` listeners and forgets the `once` ones that fired. */
  dispatch(event: Event): void {
    const listeners = this.#listeners?.get(event.type);
    if (listeners === undefined || listeners.size === 0) return;
    this.#target.dispatchEvent(event);
    for (const [listener, once] of listeners) if (once) listeners.delete(listener);
  }

  /** Calls the `on()` handler with `arg`, then dispatches `make(arg)` to listeners, if any. */
  emit<T>(type: string, arg: T, make: (arg: T) => Event): void {
    const handler = this.#handlers.get(type);
    if (handler !== undefined) {
      try {
        // `end` handlers take no argument, as in xk6-mqtt.
        if (arg === undefined) handler();
        else handler(arg);
      } catch (error) {
        // Reported like an uncaught exception, without breaking the client's own state.
        reportError(error);
      }
    }
    if (this.listening(type)) this.dispatch(make(arg));
  }
}
