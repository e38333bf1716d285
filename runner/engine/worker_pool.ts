/**
 * The main thread's handle on the Workers: creates them (module Workers addressed from this
 * file, so `deno compile` finds them), answers their requests by id, and routes their
 * notifications to the engine.
 *
 * @module
 */

import type {
  Command,
  ErrorInfo,
  Request,
  RequestEnvelope,
  WorkerMessage,
} from "../worker/messages.ts";

/** A failed request: the Worker's error, with how the CLI should classify it. */
export class WorkerRequestError extends Error {
  /** `script` (exception in user code), `timeout`, or `config`. */
  readonly code: "script" | "config" | "timeout";
  /** The Worker's stack trace, when any. */
  readonly remoteStack?: string;

  /**
   * @param info The Worker's error.
   * @param code Its class.
   */
  constructor(info: ErrorInfo, code: "script" | "config" | "timeout" = "script") {
    super(info.message);
    this.name = info.name;
    this.code = code;
    this.remoteStack = info.stack;
  }
}

type Notification = Exclude<WorkerMessage, { type: "reply" }>;

/** One Worker. */
export class WorkerHandle {
  /** Its index in the pool. */
  readonly index: number;
  readonly #worker: Worker;
  readonly #pending = new Map<number, PromiseWithResolvers<unknown>>();
  #next = 1;
  #closed = false;

  /**
   * Starts a Worker.
   *
   * @param index Its index.
   * @param onMessage Receives its notifications.
   * @param onCrash Receives an error that killed it.
   */
  constructor(
    index: number,
    onMessage: (worker: WorkerHandle, message: Notification) => void,
    onCrash: (worker: WorkerHandle, error: unknown) => void,
  ) {
    this.index = index;
    this.#worker = new Worker(new URL("../worker/worker.ts", import.meta.url), { type: "module" });
    this.#worker.onmessage = (e: MessageEvent<WorkerMessage>) => {
      const msg = e.data;
      if (msg.type !== "reply") return onMessage(this, msg);
      const pending = this.#pending.get(msg.id);
      this.#pending.delete(msg.id);
      if (msg.ok) pending?.resolve(msg.value);
      else pending?.reject(new WorkerRequestError(msg.error, msg.code));
    };
    this.#worker.onerror = (e) => {
      e.preventDefault();
      const error = e.error ?? new Error(e.message);
      for (const p of this.#pending.values()) p.reject(error);
      this.#pending.clear();
      onCrash(this, error);
    };
  }

  /**
   * Sends a request and waits for its reply.
   *
   * @param request The request.
   * @returns The reply's value.
   * @throws {WorkerRequestError} When the Worker reports a failure.
   */
  request<T = unknown>(request: Request): Promise<T> {
    if (this.#closed) return Promise.reject(new Error("the Worker is closed"));
    const id = this.#next++;
    const p = Promise.withResolvers<unknown>();
    this.#pending.set(id, p);
    this.#worker.postMessage({ ...request, id } as RequestEnvelope);
    return p.promise as Promise<T>;
  }

  /**
   * Sends a notification.
   *
   * @param command The command.
   */
  send(command: Command): void {
    if (!this.#closed) this.#worker.postMessage(command);
  }

  /** Terminates the Worker. */
  terminate(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#worker.terminate();
    for (const p of this.#pending.values()) p.reject(new Error("the Worker was terminated"));
    this.#pending.clear();
  }
}
