/**
 * How closely `mqload bench pub` holds its target rate: a 1,000 msg/s job (10 publishers × one
 * message per 10 ms, QoS 1) for `--seconds` against a private mosquitto, with a `bench/#`
 * subscriber beside it. Prints each whole second's published and received count as a ratio of
 * the target (the goal: within ±2 %), the worst of them, and the CPU the publishing process used
 * (from `/proc`, in cores).
 *
 *     deno run -A bench/bench_command_rate.ts [--seconds 10] [--rate 1000]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { startMosquitto } from "../tests/fixtures/mosquitto.ts";
import { mqloadTaskV8Flags } from "./_task_flags.ts";
import { readProcStat } from "../runner/engine/proc_stat.ts";

const CLI = new URL("../runner/cli.ts", import.meta.url).pathname;

const { values } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "10" },
    rate: { type: "string", default: "1000" },
  },
});
const seconds = Number(values.seconds);
const rate = Number(values.rate);
const publishers = 10;
const intervalMs = Math.round(publishers * 1000 / rate);

await using mosquitto = await startMosquitto();
const broker = ["-h", "127.0.0.1", "-p", String(mosquitto.port)];
const spawn = (args: string[]) =>
  new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", mqloadTaskV8Flags(), CLI, "bench", ...args],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();

const sub = spawn([
  "sub",
  ...broker,
  "-c",
  "1",
  "-t",
  "bench/#",
  "-q",
  "1",
  "--duration",
  `${seconds + 5}s`,
]);
await new Promise((r) => setTimeout(r, 2000));
const pub = spawn([
  "pub",
  ...broker,
  "-c",
  String(publishers),
  "-I",
  String(intervalMs),
  "-q",
  "1",
  "-t",
  "bench/%i",
  "--duration",
  `${seconds}s`,
]);
let cpu = 0;
const sampler = setInterval(() => {
  // Undefined once it ended: the last reading stands.
  const stat = readProcStat(`/proc/${pub.pid}`);
  if (stat !== undefined) cpu = stat.cpuMs / 1000;
}, 200);
const pubOut = new TextDecoder().decode((await pub.output()).stdout);
clearInterval(sampler);
const subOut = new TextDecoder().decode((await sub.output()).stdout);

/** Each second's rate of a counter, from the per-second lines. */
function perSecond(text: string, name: string): Map<number, number> {
  const re = new RegExp(`^(\\d+)s ${name} total=\\d+ rate=([\\d.]+)/sec$`, "gm");
  return new Map([...text.matchAll(re)].map((m) => [Number(m[1]), Number(m[2])]));
}

// The publishers' first and last seconds are partial (the job starts and stops within them);
// the subscriber's clock started earlier, so its seconds are matched by the publisher's count.
const pubSeconds = [...perSecond(pubOut, "pub").keys()].slice(1, -1);
const offset = Math.round(
  [...perSecond(subOut, "recv").keys()][0] - [...perSecond(pubOut, "pub").keys()][0],
);
for (const [name, text, shift] of [["pub", pubOut, 0], ["recv", subOut, offset]] as const) {
  const counts = perSecond(text, name);
  const whole = pubSeconds.map((s) => counts.get(s + shift) ?? 0);
  const ratios = whole.map((n) => n / rate);
  const worst = ratios.reduce((w, r) => Math.abs(r - 1) > Math.abs(w - 1) ? r : w, 1);
  console.log(
    `${name}: ${whole.length} whole seconds at ${rate}/s target, ratios ` +
      `${ratios.map((r) => r.toFixed(3)).join(" ")}; worst ${((worst - 1) * 100).toFixed(2)} %`,
  );
}
console.log(`publisher process CPU: ${(cpu / seconds).toFixed(2)} cores over the ${seconds} s job`);
