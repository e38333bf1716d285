// The Client over TLS against mosquitto: server verification against a test CA, host name and
// expiry checks, the explicit insecure flag, and listeners that require client certificates.
import assert from "node:assert/strict";
import { Client, MqttError, QoS } from "../mod.ts";
import { makeCertificates } from "./fixtures/certs.ts";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { signal } from "./fixtures/wait.ts";

async function roundTrip(client: Client, topic: string): Promise<string> {
  const got = signal<string>();
  client.on("message", (_t, payload) => got.resolve(new TextDecoder().decode(payload)));
  await client.subscribe(topic, { qos: QoS.AtLeastOnce });
  await client.publish(topic, "over tls", { qos: QoS.AtLeastOnce });
  return await got.wait(5000, "message over TLS");
}

async function refused(client: Client, url: string): Promise<MqttError> {
  const error = await client.connectAsync(url).then(
    () => assert.fail("the TLS connection must fail"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof MqttError, `expected an MqttError, got ${error}`);
  assert.equal(error.name, "MQTTError");
  assert.equal(error.method, "connect");
  assert.notEqual(error.code, "timeout", "a TLS failure is reported, not waited out");
  // Its own code: a certificate problem is not a broker that is down.
  assert.equal(error.code, "tls", error.message);
  assert.equal(client.connected, false);
  await client.end();
  return error;
}

for (const version of [4, 5] as const) {
  Deno.test({
    ...needsMosquitto,
    name: `tls v${version}: mqtts with the test CA connects and round-trips a message`,
    async fn() {
      const certs = await makeCertificates();
      await using broker = await startMosquitto({ tls: true });
      const client = new Client({ protocol_version: version, tls: { ca: certs.ca.cert } });
      try {
        const info = await client.connect(broker.tlsUrl!);
        assert.equal(info.url, broker.tlsUrl);
        assert.equal(await roundTrip(client, "tls/plain"), "over tls");
      } finally {
        await client.end();
      }
    },
  });
}

Deno.test({
  ...needsMosquitto,
  name: "tls: ssl: and tls: schemes and server_name reach the same listener",
  async fn() {
    const certs = await makeCertificates();
    await using broker = await startMosquitto({ tls: true });
    for (const url of [`ssl://127.0.0.1:${broker.tlsPort}`, `tls://127.0.0.1:${broker.tlsPort}`]) {
      const client = new Client({ tls: { ca: certs.ca.cert } });
      await client.connect(url);
      assert.equal(client.connected, true);
      await client.end();
    }
    const named = new Client({
      tls: { ca: [certs.otherCa.cert, certs.ca.cert], server_name: "localhost" },
    });
    try {
      await named.connect(broker.tlsUrl!);
      assert.equal(named.connected, true);
    } finally {
      await named.end();
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name: "tls: an untrusted CA, an expired or a wrong-host certificate fail with MqttError",
  async fn() {
    const certs = await makeCertificates();
    await using good = await startMosquitto({ tls: true });
    await refused(new Client({ reconnect: false }), good.tlsUrl!); // system roots only
    await refused(new Client({ tls: { ca: certs.otherCa.cert } }), good.tlsUrl!);

    await using expired = await startMosquitto({
      tls: { certFile: certs.expiredServer.certFile, keyFile: certs.expiredServer.keyFile },
    });
    await refused(new Client({ tls: { ca: certs.ca.cert } }), expired.tlsUrl!);

    await using wrongHost = await startMosquitto({
      tls: { certFile: certs.wrongHostServer.certFile, keyFile: certs.wrongHostServer.keyFile },
    });
    await refused(new Client({ tls: { ca: certs.ca.cert } }), wrongHost.tlsUrl!);

    // The explicit insecure flag skips the host name check only: the chain is still verified.
    const insecure = new Client({ tls: { ca: certs.ca.cert, insecure_skip_verify: true } });
    try {
      await insecure.connect(wrongHost.tlsUrl!);
      assert.equal(insecure.connected, true);
    } finally {
      await insecure.end();
    }
    await refused(
      new Client({ tls: { ca: certs.otherCa.cert, insecure_skip_verify: true } }),
      wrongHost.tlsUrl!,
    );
    // Nor does it accept an expired certificate: expiry is part of the chain check.
    await refused(
      new Client({ tls: { ca: certs.ca.cert, insecure_skip_verify: true } }),
      expired.tlsUrl!,
    );
  },
});

Deno.test({
  ...needsMosquitto,
  name: "tls: Deno's --unsafely-ignore-certificate-errors lets expired and self-signed brokers in",
  async fn() {
    const certs = await makeCertificates();
    await using expired = await startMosquitto({
      tls: { certFile: certs.expiredServer.certFile, keyFile: certs.expiredServer.keyFile },
    });
    await using selfSigned = await startMosquitto({
      tls: { certFile: certs.selfSignedServer.certFile, keyFile: certs.selfSignedServer.keyFile },
    });
    const mod = new URL("../mod.ts", import.meta.url).href;
    const source = `
      import { Client } from "${mod}";
      for (const url of Deno.args) {
        for (const insecure of [false, true]) {
          const client = new Client({ reconnect: false, tls: { insecure_skip_verify: insecure } });
          const outcome = await client.connectAsync(url).then(() => "connected", (e) => e.code);
          await client.end();
          console.log(insecure + " " + outcome);
        }
      }
    `;
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        "--unsafely-ignore-certificate-errors=127.0.0.1",
        source,
        expired.tlsUrl!,
        selfSigned.tlsUrl!,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(output.stdout);
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
    // Deno's flag turns verification off process-wide, whatever the client option says: the
    // client option is only the explicit statement of intent.
    assert.deepEqual(stdout.trim().split("\n"), [
      "false connected",
      "true connected",
      "false connected",
      "true connected",
    ]);
  },
});

Deno.test({
  ...needsMosquitto,
  name:
    "tls: a listener requiring client certificates accepts ours and refuses none or a foreign one",
  async fn() {
    const certs = await makeCertificates();
    await using broker = await startMosquitto({ tls: true, requireCertificate: true });
    const client = new Client({
      protocol_version: 5,
      tls: { ca: certs.ca.cert, cert: certs.client.cert, key: certs.client.key },
    });
    try {
      await client.connect(broker.tlsUrl!);
      assert.equal(await roundTrip(client, "tls/mutual"), "over tls");
    } finally {
      await client.end();
    }
    await refused(
      new Client({ protocol_version: 5, reconnect: false, tls: { ca: certs.ca.cert } }),
      broker.tlsUrl!,
    );
    // retry_first_connect does not retry what trying again cannot cure.
    const retrying = new Client({
      protocol_version: 5,
      retry_first_connect: true,
      reconnect: { initial_delay: 50, max_delay: 100 },
      tls: { ca: certs.ca.cert },
    });
    await refused(retrying, broker.tlsUrl!);
    await refused(
      new Client({
        protocol_version: 5,
        reconnect: false,
        tls: { ca: certs.ca.cert, cert: certs.otherClient.cert, key: certs.otherClient.key },
      }),
      broker.tlsUrl!,
    );
  },
});
