/**
 * Progress on stderr, as k6 shows it: on a terminal, a redrawn block with the run line, one
 * bar per scenario and the live line (`live_line.ts`); otherwise the run line and the live line
 * every second. Log lines go through
 * {@linkcode Progress.log} so that they never tear the bar.
 *
 * @module
 */

import { formatClock } from "../config/duration.ts";
import type { ScenarioProgress } from "../executors/mod.ts";

/** One scenario's line: its name and how far it is, as its executor says. */
export interface ScenarioLine extends ScenarioProgress {
  /** Scenario name. */
  name: string;
}

/** What the progress shows. */
export interface ProgressState {
  /** Since the test started, in ms. */
  elapsedMs: number;
  /** Active VUs. */
  vus: number;
  /** Most VUs. */
  maxVus: number;
  /** Completed iterations. */
  completed: number;
  /** Interrupted iterations. */
  interrupted: number;
  /** Per scenario. */
  scenarios: ScenarioLine[];
  /** Stopping (signal, abort). */
  stopping?: boolean;
  /** The live line: the last complete second's figures (none before the first). */
  live?: string;
}

/** Options of {@linkcode Progress}. */
export interface ProgressOptions {
  /** Where to write (default `Deno.stderr`). */
  writer?: { writeSync(p: Uint8Array): number };
  /** Redraw a bar (default: stderr is a terminal). */
  tty?: boolean;
  /** Print nothing but logs. */
  quiet?: boolean;
  /** Lines without a terminal, every this many ms of the test clock (default 1000). */
  intervalMs?: number;
}

const encoder = new TextEncoder();
const BAR = 40;

/** Renders progress and log lines on stderr. */
export class Progress {
  readonly #writer: { writeSync(p: Uint8Array): number };
  readonly #tty: boolean;
  readonly #quiet: boolean;
  readonly #interval: number;
  #drawn = 0;
  #lastLine = -Infinity;

  /**
   * @param options Writer, terminal mode, quiet.
   */
  constructor(options: ProgressOptions = {}) {
    this.#writer = options.writer ?? Deno.stderr;
    this.#tty = options.tty ?? Deno.stderr.isTerminal();
    this.#quiet = options.quiet ?? false;
    this.#interval = options.intervalMs ?? 1000;
  }

  /** Whether a bar is redrawn in place. */
  get tty(): boolean {
    return this.#tty;
  }

  /**
   * Writes text above the bar.
   *
   * @param text Lines to print (a newline is added).
   */
  log(text: string): void {
    this.#clear();
    this.#write(text.endsWith("\n") ? text : text + "\n");
  }

  /**
   * Shows the current state (redrawn on a terminal; otherwise the run line and the live line
   * once in each interval of the test clock).
   *
   * @param state The state.
   * @param force Print a line now even without a terminal.
   */
  update(state: ProgressState, force = false): void {
    if (this.#quiet) return;
    const head = runLine(state);
    if (!this.#tty) {
      const interval = Math.floor(state.elapsedMs / this.#interval);
      if (force || interval > this.#lastLine) {
        this.#lastLine = interval;
        this.#write(head + "\n" + (state.live === undefined ? "" : state.live + "\n"));
      }
      return;
    }
    const width = Math.max(7, ...state.scenarios.map((s) => s.name.length));
    const lines = [head, ...state.scenarios.map((s) => scenarioLine(s, width))];
    if (state.live !== undefined) lines.push(state.live.slice(0, columns()));
    this.#clear();
    this.#write(lines.join("\n") + "\n");
    this.#drawn = lines.length;
  }

  /** Leaves the last drawn state on screen (end of the run). */
  done(state: ProgressState): void {
    if (this.#quiet) return;
    if (this.#tty) this.update(state);
    else this.#write(runLine(state) + "\n");
    this.#drawn = 0;
  }

  #clear(): void {
    if (this.#drawn > 0) this.#write(`\x1b[${this.#drawn}F\x1b[J`);
    this.#drawn = 0;
  }

  #write(text: string): void {
    const bytes = encoder.encode(text);
    let at = 0;
    while (at < bytes.length) at += this.#writer.writeSync(bytes.subarray(at));
  }
}

/** The terminal's width (a longer line would wrap and break the redraw), 120 when unknown. */
function columns(): number {
  try {
    return Deno.consoleSize().columns || 120;
  } catch {
    return 120;
  }
}

function runLine(s: ProgressState): string {
  const verb = s.stopping ? "stopping" : "running";
  return `${verb} (${formatClock(s.elapsedMs)}), ${s.vus}/${s.maxVus} VUs, ${s.completed} ` +
    `complete and ${s.interrupted} interrupted iterations`;
}

function scenarioLine(s: ScenarioLine, width: number): string {
  const f = Math.min(1, Math.max(0, s.fraction));
  const filled = Math.round(f * BAR);
  const bar = f >= 1
    ? "=".repeat(BAR)
    : "=".repeat(Math.max(0, filled - 1)) + (filled > 0 ? ">" : "") + "-".repeat(BAR - filled);
  const mark = f >= 1 ? "✓" : " ";
  return `${s.name.padEnd(width)} ${mark} [${bar}] ${s.detail}`;
}
