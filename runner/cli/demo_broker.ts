/**
 * The broker of `mqload demo`: the embedded aedes broker (in this process, MQTT 3.1.1; the demo's
 * clients then carry publish times in a payload trailer for `mqtt_message_latency`), or, when
 * `MQLOAD_MOSQUITTO` names an executable, a private mosquitto speaking MQTT 5.
 *
 * @module
 */

import { startBroker } from "./broker.ts";

/** A broker started for the demo. */
export interface DemoBroker {
  /** `mqtt://127.0.0.1:port`. */
  url: string;
  /** The MQTT version the demo's clients should speak. */
  protocolVersion: 4 | 5;
  /** What it is, for the banner. */
  description: string;
  /** Stops it and removes its files. */
  close(): Promise<void>;
}

const MOSQUITTO_PATHS = ["/usr/sbin", "/usr/local/sbin", "/opt/homebrew/sbin", "/usr/bin"];

/** The mosquitto executable: `MQLOAD_MOSQUITTO`, on the PATH, or where packages put it. */
export function findMosquitto(): string | undefined {
  const given = Deno.env.get("MQLOAD_MOSQUITTO");
  if (given !== undefined) return given === "" ? undefined : given;
  const dirs = [...(Deno.env.get("PATH") ?? "").split(":").filter(Boolean), ...MOSQUITTO_PATHS];
  for (const dir of dirs) {
    try {
      if (Deno.statSync(`${dir}/mosquitto`).isFile) return `${dir}/mosquitto`;
    } catch { /* not there */ }
  }
  return undefined;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function startMosquitto(path: string): Promise<DemoBroker | undefined> {
  const dir = await Deno.makeTempDir({ prefix: "mqload-demo-" });
  const port = freePort();
  const config = `${dir}/mosquitto.conf`;
  await Deno.writeTextFile(
    config,
    [
      `listener ${port} 127.0.0.1`,
      "allow_anonymous true",
      "persistence false",
      "log_dest none",
      "max_inflight_messages 0",
      "max_queued_messages 0",
      "",
    ].join("\n"),
  );
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(path, {
      args: ["-c", config],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
  } catch {
    await Deno.remove(dir, { recursive: true });
    return undefined;
  }
  let exited = false;
  const status = child.status.finally(() => exited = true);
  const close = async () => {
    if (!exited) {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
    }
    await status;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  // Ready when it accepts a connection (bounded: 5 s).
  for (let i = 0; i < 100 && !exited; i++) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      return {
        url: `mqtt://127.0.0.1:${port}`,
        protocolVersion: 5,
        description: `mosquitto (${path}, MQTT 5)`,
        close,
      };
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  await close();
  return undefined;
}

/**
 * Starts the demo's broker on a free loopback port.
 *
 * @param mosquitto The mosquitto executable, `null` for none (default: `MQLOAD_MOSQUITTO`).
 * @returns that mosquitto when given and it starts, else the embedded aedes broker.
 */
export async function startDemoBroker(
  mosquitto: string | null | undefined = Deno.env.get("MQLOAD_MOSQUITTO") || null,
): Promise<DemoBroker> {
  if (typeof mosquitto === "string") {
    const broker = await startMosquitto(mosquitto);
    if (broker !== undefined) return broker;
  }
  const embedded = await startBroker({ port: 0 });
  return {
    url: embedded.url,
    protocolVersion: 4,
    description: "the embedded aedes broker (MQTT 3.1.1)",
    close: () => embedded.close(),
  };
}
