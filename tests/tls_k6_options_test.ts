// xk6-mqtt has no TLS options: it relies on k6's `tlsAuth` (client certificates, per domain)
// and `insecureSkipTLSVerify`. The k6/x/mqtt client takes them from the test options. The
// test CA is trusted the way a k6 user trusts a private CA outside the script, here DENO_CERT.
import assert from "node:assert/strict";
import { makeCertificates } from "./fixtures/certs.ts";
import { startMosquitto } from "./fixtures/mosquitto.ts";
import { explain, mqload, TempDir } from "./_runner_helpers.ts";

const MUTUAL = `
import { Client } from "k6/x/mqtt";

export const options = {
  tlsAuth: [
    { domains: ["example.com"], cert: "not used", key: "not used" },
    { domains: ["127.0.0.1"], cert: open(__ENV.CERT), key: open(__ENV.KEY) },
  ],
  thresholds: { mqtt_errors: ["count==0"], mqtt_messages_sent: ["count==1"] },
};

export default function () {
  const client = new Client();
  client.connect(__ENV.BROKER);
  client.publish("tls/k6", "over mutual tls", { qos: 1 });
  client.end();
}
`;

const INSECURE = `
import { Client } from "k6/x/mqtt";

export const options = {
  insecureSkipTLSVerify: true,
  thresholds: { mqtt_errors: ["count==0"], mqtt_messages_sent: ["count==1"] },
};

export default async function () {
  const client = new Client();
  await client.connectAsync(__ENV.BROKER);
  await client.publishAsync("tls/k6", "host name not checked", { qos: 1 });
  await client.endAsync();
}
`;

Deno.test("tls k6 options: tlsAuth and insecureSkipTLSVerify reach the k6/x/mqtt client", async () => {
  const certs = await makeCertificates();
  const dir = await TempDir.create();
  try {
    const trust = { DENO_CERT: certs.ca.certFile };
    {
      await using broker = await startMosquitto({ tls: true, requireCertificate: true });
      const script = await dir.write("mutual.js", MUTUAL);
      const args = ["-e", `CERT=${certs.client.certFile}`, "-e", `KEY=${certs.client.keyFile}`];
      const r = await mqload(
        ["run", "-q", ...args, "-e", `BROKER=${broker.tlsUrl}`, script],
        trust,
      );
      assert.equal(r.code, 0, explain(r));
      // Without tlsAuth the broker refuses the client.
      const bare = await dir.write("bare.js", MUTUAL.replace(/tlsAuth: \[[^]*?\],\n/, ""));
      const refused = await mqload(["run", "-q", "-e", `BROKER=${broker.tlsUrl}`, bare], trust);
      assert.equal(refused.code, 99, explain(refused));
    }
    {
      await using broker = await startMosquitto({
        tls: { certFile: certs.wrongHostServer.certFile, keyFile: certs.wrongHostServer.keyFile },
      });
      const script = await dir.write("insecure.js", INSECURE);
      const r = await mqload(["run", "-q", "-e", `BROKER=${broker.tlsUrl}`, script], trust);
      assert.equal(r.code, 0, explain(r));
      const strict = await dir.write(
        "strict.js",
        INSECURE.replace("insecureSkipTLSVerify: true,", ""),
      );
      const refused = await mqload(["run", "-q", "-e", `BROKER=${broker.tlsUrl}`, strict], trust);
      assert.notEqual(refused.code, 0, explain(refused));
      const flag = await mqload(
        ["run", "-q", "--insecure-skip-tls-verify", "-e", `BROKER=${broker.tlsUrl}`, strict],
        trust,
      );
      assert.equal(flag.code, 0, explain(flag));
    }
  } finally {
    await dir.remove();
    await Deno.remove(certs.dir, { recursive: true });
  }
});
