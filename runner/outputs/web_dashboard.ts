/**
 * `--out web-dashboard` (also `K6_WEB_DASHBOARD=true`): k6's web dashboard. While the run goes,
 * an HTTP server (`Deno.serve`, on 127.0.0.1:5665 unless `K6_WEB_DASHBOARD_HOST` / `_PORT` say
 * otherwise) serves a self-contained page with the HTML report's figures and charts, and
 * `/events`, a Server-Sent Events stream that sends the page's whole state on connect and then
 * every period (`K6_WEB_DASHBOARD_PERIOD`, 10 s). With `K6_WEB_DASHBOARD_EXPORT=FILE` the HTML
 * report of the same {@linkcode Timeline} is written at the end. The settings are in
 * `_dashboard_config.ts`, the page's data in `_dashboard_state.ts`, the streams in
 * `_dashboard_sse.ts`.
 *
 * Unlike k6, which keeps the server up until the process exits, `stop()` ends every stream and
 * closes the server: it waits {@linkcode STOP_GRACE_MS} for the browsers to take the last event,
 * then closes every connection left; the server never keeps the process alive by itself.
 *
 * @module
 */

import type { Output, OutputParams, OutputType, RunStatus, TestEnd } from "./output.ts";
import { type DashboardConfig, dashboardConfig, dashboardUrl } from "./_dashboard_config.ts";
import { DashboardData } from "./_dashboard_state.ts";
import { DASHBOARD_CSP, renderDashboardPage } from "./_dashboard_page.ts";
import { SSE_HEADERS, type SseEvent, SseHub } from "./_dashboard_sse.ts";
import { renderHtmlReport } from "./html_report.ts";
import type { Timeline } from "./timeline.ts";
import type { MetricsSnapshot } from "../metrics/registry.ts";
import { InvalidConfigError } from "../config/options.ts";

/** How long `stop()` waits for the browsers to take the last event before it closes anyway. */
const STOP_GRACE_MS = 2000;
/** How long `stop()` then waits for the server, its connections cut, to be closed. */
const CLOSE_WAIT_MS = 1000;
/** What the browser waits before reconnecting after the last event: never (k6's value). */
const NEVER_MS = Number.MAX_SAFE_INTEGER;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

class WebDashboardOutput implements Output {
  readonly #params: OutputParams;
  readonly #config: DashboardConfig;
  readonly #data: DashboardData;
  readonly #hub = new SseHub();
  readonly #title: string;
  #server: Deno.HttpServer<Deno.NetAddr> | undefined;
  /** Closes the server and every connection (`Deno.serve`'s forceful shutdown). */
  readonly #abort = new AbortController();
  /** The responses not yet sent in full (the event streams, until they end). */
  readonly #sending = new Set<Promise<void>>();
  #url = "";
  #timer: ReturnType<typeof setInterval> | undefined;
  #stopped = false;

  constructor(params: OutputParams, config: DashboardConfig) {
    this.#params = params;
    this.#config = config;
    this.#data = new DashboardData({ thresholds: params.thresholds });
    this.#title = scriptName(params.script);
  }

  /** The URL served, "" when the server is off (port -1). */
  get url(): string {
    return this.#url;
  }

  /** The run's series, for the exported report. */
  get timeline(): Timeline | undefined {
    return this.#data.timeline;
  }

  /** Listens (port -1: does not). */
  listen(): void {
    const { host, port } = this.#config;
    if (port < 0) return;
    const checkHost = LOOPBACK.has(host);
    try {
      const options = { hostname: host, port, onListen: () => {}, signal: this.#abort.signal };
      this.#server = Deno.serve(options, (request, info) => {
        const sent = info.completed.catch(() => {});
        this.#sending.add(sent);
        sent.then(() => this.#sending.delete(sent));
        if (checkHost && !LOOPBACK.has(hostOf(request))) {
          // A page elsewhere reaching loopback through DNS rebinding: not ours to answer.
          return new Response("wrong Host\n", { status: 421 });
        }
        return this.#answer(request);
      });
    } catch (e) {
      throw new InvalidConfigError([
        `the web dashboard cannot listen on ${host}:${port}: ${(e as Error).message}`,
      ]);
    }
    this.#server.unref();
    this.#url = dashboardUrl(host, this.#server.addr.port);
  }

  description(): string {
    return this.#url === "" ? "web-dashboard" : `web-dashboard ${this.#url}`;
  }

  start(startMs: number): void {
    this.#data.start(startMs);
    if (this.#server === undefined) return;
    const timer = setInterval(() => this.#tick(), this.#config.periodMs);
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  addSamples(snapshot: MetricsSnapshot, atMs: number): void {
    this.#data.record(snapshot, atMs);
  }

  addStatus(status: RunStatus): void {
    this.#data.status(status);
  }

  async stop(end?: TestEnd): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#timer);
    if (end !== undefined) this.#data.end(end);
    if (this.#server !== undefined) {
      this.#hub.broadcast({ ...this.#event("stop"), retryMs: NEVER_MS });
      this.#hub.close();
      // The streams are ended: wait for the browsers to take what is left of them, then cut
      // every connection (the signal; `shutdown()` would wait for ever on a stuck browser, and
      // the signal cannot follow it).
      const sent = await within(Promise.all([...this.#sending]), STOP_GRACE_MS);
      if (!sent) this.#params.log("web dashboard: a browser did not take the last event");
      this.#abort.abort();
      if (!await within(this.#server.finished, CLOSE_WAIT_MS)) {
        this.#params.log("web dashboard: the server did not close");
      }
    }
    // A report without the summary cannot be rendered: a run that ended without one exports none.
    if (this.#config.export !== "" && end !== undefined) await this.#export(end);
  }

  /** The page's state as an event. */
  #event(name: string): SseEvent {
    return { event: name, data: JSON.stringify(this.#data.state(Date.now())) };
  }

  #tick(): void {
    if (this.#hub.size === 0) return; // nobody looks: no work
    try {
      this.#hub.broadcast(this.#event("snapshot"));
    } catch (e) {
      this.#params.log(`web dashboard: ${(e as Error).message}`);
    }
  }

  #answer(request: Request): Response {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("method not allowed\n", { status: 405, headers: { allow: "GET" } });
    }
    const path = new URL(request.url).pathname;
    if (path === "/events") {
      // HEAD: the headers of a stream, without opening one (nor taking a client's place).
      if (request.method === "HEAD") return new Response(null, { headers: SSE_HEADERS });
      return this.#hub.open(() => this.#event("snapshot"));
    }
    if (path !== "/" && path !== "/index.html") return new Response("not found\n", { status: 404 });
    const html = renderDashboardPage({
      title: this.#title,
      state: this.#data.state(Date.now()),
      options: this.#params.options,
      periodMs: this.#config.periodMs,
    });
    return new Response(html, {
      headers: {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        "content-security-policy": DASHBOARD_CSP,
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
      },
    });
  }

  /** Writes the HTML report of the same timeline (gzip-compressed when the name ends in .gz). */
  async #export(end: TestEnd): Promise<void> {
    const path = this.#config.export;
    const html = renderHtmlReport({
      timeline: this.#data.timeline,
      summary: end.summary,
      thresholds: end.thresholds,
      options: this.#params.options,
      title: this.#title,
    });
    let bytes: Uint8Array = new TextEncoder().encode(html);
    if (path.endsWith(".gz")) {
      const gzip = new Blob([html]).stream().pipeThrough(new CompressionStream("gzip"));
      bytes = new Uint8Array(await new Response(gzip).arrayBuffer());
    }
    await Deno.writeFile(path, bytes).catch((e) =>
      this.#params.log(`Cannot write the report ${path}: ${e.message}`)
    );
  }
}

/** Whether `promise` settled within `ms` (its rejection counts as settled). */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The Host header's host name (`localhost:5665` → `localhost`, `[::1]:80` → `[::1]`). */
function hostOf(request: Request): string {
  const host = (request.headers.get("host") ?? "").toLowerCase();
  return host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.split(":")[0];
}

function scriptName(script: string): string {
  const path = script.replace(/[?#].*$/, "");
  return path.slice(path.lastIndexOf("/") + 1) || script;
}

function say(text: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(text + "\n"));
}

/**
 * The `web-dashboard` output's registry entry. Its argument is k6's query string
 * (`port=8080&period=1s&export=report.html`); the `K6_WEB_DASHBOARD_*` variables give the same.
 *
 * @example Usage
 * ```ts
 * import { webDashboardOutput } from "./web_dashboard.ts";
 * import { MetricRegistry } from "../metrics/registry.ts";
 * import assert from "node:assert/strict";
 *
 * const out = await webDashboardOutput.create({
 *   arg: "port=0", metrics: new MetricRegistry(), script: "/x/smoke.js", options: {},
 *   log: (text) => { throw new Error(text); },
 * });
 * assert.match(out.description(), /^web-dashboard http:\/\/127\.0\.0\.1:\d+$/);
 * out.start(Date.now());
 * const url = out.description().split(" ")[1];
 * assert.match(await (await fetch(url)).text(), /<title>smoke\.js · mqload dashboard<\/title>/);
 * await out.stop({
 *   summary: {
 *     root_group: { name: "", path: "", id: "", groups: [], checks: [] },
 *     options: { summaryTrendStats: ["avg"], summaryTimeUnit: "", noColor: true },
 *     state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 1000 },
 *     metrics: {},
 *   },
 *   thresholds: [],
 * });
 * ```
 */
export const webDashboardOutput: OutputType = {
  usage: "web-dashboard[=port=N&period=D&export=FILE]  a live dashboard on " +
    "http://127.0.0.1:5665 (also K6_WEB_DASHBOARD=true and K6_WEB_DASHBOARD_*)",
  points: false,
  create(params: OutputParams): Promise<Output> {
    let config: DashboardConfig;
    try {
      config = dashboardConfig(params.arg, Deno.env.toObject());
    } catch (e) {
      return Promise.reject(new InvalidConfigError([(e as Error).message]));
    }
    if (config.ignored.length > 0) {
      params.log(`web dashboard: ${config.ignored.join(", ")} not supported, ignored`);
    }
    const output = new WebDashboardOutput(params, config);
    try {
      output.listen();
    } catch (e) {
      return Promise.reject(e);
    }
    if (output.url !== "") {
      say(`web dashboard: ${output.url}`);
      if (config.open) say(`web dashboard: open ${output.url} in a browser (none is launched)`);
    }
    return Promise.resolve(output);
  },
};
