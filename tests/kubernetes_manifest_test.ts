/**
 * The Kubernetes example: job.yaml's structure (an Indexed Job whose pods each
 * run one execution segment and export their summary onto a shared volume,
 * then a merge Job), and its shell wrappers, run here with a stand-in `deno`
 * to check the exact flags each pod passes.
 */

import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import {
  parseExecutionSegment,
  parseExecutionSegmentSequence,
} from "../runner/segments/execution_segment.ts";

const DIR = new URL("../examples/kubernetes/", import.meta.url);

// deno-lint-ignore no-explicit-any
type Doc = any;

async function manifests(): Promise<Doc[]> {
  const docs = parseAllDocuments(await Deno.readTextFile(new URL("job.yaml", DIR)));
  for (const d of docs) assert.deepEqual(d.errors, [], "job.yaml parses");
  return docs.map((d) => d.toJS());
}

function env(container: Doc, name: string): string | undefined {
  return container.env?.find((e: Doc) => e.name === name)?.value;
}

Deno.test("job.yaml: an Indexed Job, one segment per pod, results on a shared volume", async () => {
  const docs = await manifests();
  assert.deepEqual(docs.map((d) => `${d.kind}/${d.metadata.name}`), [
    "ConfigMap/mqload-script",
    "PersistentVolumeClaim/mqload-results",
    "Job/mqload",
    "Job/mqload-merge",
  ]);
  const [script, pvc, job] = docs;
  assert.deepEqual(pvc.spec.accessModes, ["ReadWriteMany"]);

  assert.equal(job.apiVersion, "batch/v1");
  assert.equal(job.spec.completionMode, "Indexed");
  assert.equal(job.spec.parallelism, job.spec.completions);
  assert.equal(job.spec.completions, 4);
  assert.equal(job.spec.backoffLimit, 0);
  const pod = job.spec.template.spec;
  assert.equal(pod.restartPolicy, "Never");
  const [c] = pod.containers;
  assert.equal(env(c, "SEGMENTS"), String(job.spec.completions));
  assert.deepEqual(c.command, ["/bin/sh", "-c"]);
  const wrapper: string = c.args[0];
  assert.match(wrapper, /\$JOB_COMPLETION_INDEX/);
  assert.match(wrapper, /mqload run/);
  assert.match(wrapper, /--execution-segment "\$i\/\$n:\$\(\(i \+ 1\)\)\/\$n"/);
  assert.match(wrapper, /--summary-export "\/results\/summary-\$JOB_COMPLETION_INDEX\.json"/);

  const results = c.volumeMounts.find((m: Doc) => m.mountPath === "/results");
  const volume = pod.volumes.find((v: Doc) => v.name === results.name);
  assert.equal(volume.persistentVolumeClaim.claimName, pvc.metadata.name);
  const scripts = c.volumeMounts.find((m: Doc) => m.mountPath === "/scripts");
  const scriptVolume = pod.volumes.find((v: Doc) => v.name === scripts.name);
  assert.equal(scriptVolume.configMap.name, script.metadata.name);
  assert.ok(wrapper.includes("/scripts/script.js") && "script.js" in script.data);
});

Deno.test("job.yaml: the merge Job waits for every segment, then merges the summaries", async () => {
  const docs = await manifests();
  const job = docs[2], merge = docs[3];
  const pod = merge.spec.template.spec;
  assert.equal(pod.restartPolicy, "Never");
  assert.ok(merge.spec.activeDeadlineSeconds > 0);
  const [wait] = pod.initContainers;
  assert.equal(env(wait, "SEGMENTS"), String(job.spec.completions));
  assert.match(wait.args[0], /done-\*/);
  const [main] = pod.containers;
  assert.match(
    main.args[0],
    /cli\.ts merge \/results\/summary-\*\.json --summary-export \/results\/total\.json/,
  );
  for (const c of [wait, main]) {
    const m = c.volumeMounts.find((v: Doc) => v.mountPath === "/results");
    const volume = pod.volumes.find((v: Doc) => v.name === m.name);
    assert.equal(volume.persistentVolumeClaim.claimName, "mqload-results");
  }
});

/** Runs a pod's shell wrapper with a stand-in `deno` that records its arguments. */
async function runWrapper(
  wrapper: string,
  dir: string,
  vars: Record<string, string>,
): Promise<{ code: number; args: string[] }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 20_000);
  try {
    const out = await new Deno.Command("/bin/sh", {
      args: ["-c", wrapper.replaceAll("/results", `${dir}/results`)],
      env: { PATH: `${dir}/bin:/usr/bin:/bin`, ARGS_FILE: `${dir}/args`, START_AT: "", ...vars },
      clearEnv: true,
      stdout: "null",
      stderr: "piped",
      signal: controller.signal,
    }).output();
    let args: string[] = [];
    try {
      args = (await Deno.readTextFile(`${dir}/args`)).split("\n").slice(0, -1);
      await Deno.remove(`${dir}/args`);
    } catch {
      // The wrapper did not call deno.
    }
    return { code: out.code, args };
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("job.yaml: each pod's wrapper runs its own segment; together they cover the run", async () => {
  const [, , job, merge] = await manifests();
  const wrapper: string = job.spec.template.spec.containers[0].args[0];
  const waiter: string = merge.spec.template.spec.initContainers[0].args[0];
  const dir = await Deno.makeTempDir({ prefix: "mqload_k8s_" });
  try {
    await Deno.mkdir(`${dir}/bin`);
    await Deno.mkdir(`${dir}/results`);
    await Deno.writeTextFile(
      `${dir}/bin/deno`,
      '#!/bin/sh\nprintf \'%s\\n\' "$@" > "$ARGS_FILE"\nexit "${FAKE_EXIT:-0}"\n',
      { mode: 0o755 },
    );
    const segments = [];
    for (let i = 0; i < 4; i++) {
      const { code, args } = await runWrapper(wrapper, dir, {
        JOB_COMPLETION_INDEX: String(i),
        SEGMENTS: "4",
      });
      assert.equal(code, 0);
      assert.deepEqual(args.slice(0, 4), ["run", "-A", "/app/runner/cli.ts", "run"]);
      const flag = (name: string) => args[args.indexOf(name) + 1];
      segments.push(parseExecutionSegment(flag("--execution-segment")));
      assert.equal(
        parseExecutionSegmentSequence(flag("--execution-segment-sequence")).toString(),
        "0,1/4,1/2,3/4,1",
      );
      assert.equal(flag("--summary-export"), `${dir}/results/summary-${i}.json`);
      assert.equal(args.at(-1), "/scripts/script.js");
      await Deno.stat(`${dir}/results/done-${i}`);
    }
    assert.deepEqual(segments.map(String), ["0:1/4", "1/4:1/2", "1/2:3/4", "3/4:1"]);

    // Thresholds crossed in one segment (99) are left to the merge; other failures fail the pod.
    const crossed = await runWrapper(wrapper, dir, {
      JOB_COMPLETION_INDEX: "5",
      SEGMENTS: "8",
      FAKE_EXIT: "99",
    });
    assert.equal(crossed.code, 0);
    assert.ok(crossed.args.includes("5/8:6/8"));
    const broken = await runWrapper(wrapper, dir, {
      JOB_COMPLETION_INDEX: "6",
      SEGMENTS: "8",
      FAKE_EXIT: "3",
    });
    assert.equal(broken.code, 3);
    await assert.rejects(Deno.stat(`${dir}/results/done-6`), Deno.errors.NotFound);

    // With all four done markers, the merge Job's wait returns at once.
    const waited = await runWrapper(waiter, dir, { SEGMENTS: "4" });
    assert.equal(waited.code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Dockerfile: official Deno image, dependencies cached, mqload as entrypoint", async () => {
  const text = await Deno.readTextFile(new URL("Dockerfile", DIR));
  assert.match(text, /^FROM denoland\/deno:2\.9\.6$/m);
  assert.match(text, /^RUN deno install$/m);
  assert.match(text, /^RUN deno cache runner\/cli\.ts$/m);
  assert.match(text, /^USER deno$/m);
  assert.match(text, /^ENTRYPOINT \["deno", "run", "-A", "runner\/cli\.ts"\]$/m);
});
