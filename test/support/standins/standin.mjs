// A stand-in for gcloud, terraform, kubectl or helm, run as a real executable on PATH.
// It records argv, selected environment, stdin and cwd to calls.jsonl, then answers from the test's
// rules (rules.json) or, failing that, from a small model of the tool's world (world.json) kept in
// the same folder, so a second run sees what the first one changed, as with the real cloud.
// Usage (from a wrapper script): node standin.mjs TOOL ARGS...
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { commitWorld, readWorld, updateJsonFile } from './world-store.mjs';

const dir = process.env.FLYTE_STANDIN_DIR;
const HOLD_LIMIT_MS = 120_000;
if (!dir) {
  process.stderr.write('FLYTE_STANDIN_DIR is not set\n');
  process.exit(97);
}
const [tool, ...args] = process.argv.slice(2);
const stdin = await readStdin();

const RECORDED_ENV =
  /^(CLOUDSDK_|GOOGLE_|GCLOUD_|KUBECONFIG$|TF_|HELM_|USE_GKE|CHECKPOINT_|PAGER$|GITHUB_ACTIONS$)/;
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => RECORDED_ENV.test(k)));
// The process start time (not now) so a call's span includes the stand-in's own start-up.
const startedAt = Math.round(performance.timeOrigin);
const id = `${process.pid}-${startedAt}`;
appendFileSync(
  path.join(dir, 'calls.jsonl'),
  `${JSON.stringify({ id, tool, args, env, stdin, cwd: process.cwd(), startedAt })}\n`
);
process.on('exit', () => {
  appendFileSync(path.join(dir, 'ends.jsonl'), `${JSON.stringify({ id, endedAt: Date.now() })}\n`);
});

// kubectl and helm reach the cluster through gke-gcloud-auth-plugin, which caches its token in
// gke_gcloud_auth_plugin_cache beside the kubeconfig: leave one there, as the real plugin does.
if (
  (tool === 'kubectl' || tool === 'helm') &&
  process.env.KUBECONFIG &&
  existsSync(process.env.KUBECONFIG)
) {
  writeFileSync(
    path.join(path.dirname(process.env.KUBECONFIG), 'gke_gcloud_auth_plugin_cache'),
    JSON.stringify({ access_token: 'ya29.standin-token', token_expiry: '2026-11-24T04:00:00Z' })
  );
}

// Only the tool's own model is loaded: a stand-in starts about as fast as node itself.
const MODELS = {
  terraform: ['./terraform.mjs', 'answerTerraform'],
  gcloud: ['./gcloud.mjs', 'answerGcloud'],
  kubectl: ['./kubectl.mjs', 'answerKubectl'],
  helm: ['./helm.mjs', 'answerHelm']
};

const world = readWorld(dir);
const before = JSON.stringify(world);
// The world as this process last wrote it: each write commits only its own changes since then.
let base = JSON.parse(before);
const rule = fromRules();
const answer = !rule
  ? await modelAnswer()
  : rule.passThrough
    ? { ...(await modelAnswer()), delayMs: rule.delayMs, untilSignalled: rule.untilSignalled }
    : rule;
if (answer.delayMs || answer.untilSignalled) {
  // While a slow command runs, the world shows what it holds (a state lock); a graceful
  // interruption (SIGTERM, as when a job is cancelled) leaves what the tool leaves.
  if (answer.holdsLock) {
    const during = JSON.parse(before);
    (during.terraform ??= {}).lock = answer.holdsLock;
    commitWorld(dir, base, during);
    base = during;
  }
  process.on('SIGTERM', () => {
    const after = JSON.parse(before);
    answer.interrupted?.(after);
    commitWorld(dir, base, after);
    process.stderr.write(
      'Interrupt received.\nPlease wait for Terraform to exit or data loss may occur.\nGracefully shutting down...\n'
    );
    process.exit(1);
  });
  // Now the call is where a test may interrupt it (lock held, SIGTERM handled): say so, so the
  // test signals on this line rather than after a guessed time.
  appendFileSync(path.join(dir, 'holding.jsonl'), `${JSON.stringify({ id, tool, args })}\n`);
  if (answer.untilSignalled) {
    // Bounded, so a test that never signals fails with a reason instead of hanging.
    await new Promise((resolve) => setTimeout(resolve, HOLD_LIMIT_MS));
    process.stderr.write(`stand-in ${tool}: held ${HOLD_LIMIT_MS} ms and no signal came\n`);
    process.exit(98);
  }
  await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
}
// Only an answer that changed the world (or released the lock it held while it ran) writes it.
if (JSON.stringify(world) !== JSON.stringify(base)) commitWorld(dir, base, world);
if (answer.stdout) process.stdout.write(answer.stdout);
if (answer.stderr) process.stderr.write(answer.stderr);
process.exitCode = answer.exitCode ?? 0;

async function modelAnswer() {
  const model = MODELS[tool];
  if (!model) return { exitCode: 127, stderr: `unknown stand-in ${tool}\n` };
  const module = await import(model[0]);
  return module[model[1]]({ args, env: process.env, stdin, world, dir });
}

// A rule answers when every entry of `match` is one of the arguments (a string) or matches one
// (`{"re": "..."}`); `times` limits how often it answers, so faults can be transient. The rule is
// chosen and counted under the file's lock, so two stand-ins at once cannot both take its last use.
function fromRules() {
  const file = path.join(dir, 'rules.json');
  if (!existsSync(file)) return undefined;
  return updateJsonFile(file, (rules) => {
    const rule = (rules[tool] ?? []).find(
      (r) =>
        (r.times === undefined || r.times > 0) &&
        (r.match ?? []).every((m) =>
          typeof m === 'string' ? args.includes(m) : args.some((a) => new RegExp(m.re).test(a))
        )
    );
    if (rule?.times !== undefined) rule.times -= 1;
    return rule;
  });
}

async function readStdin() {
  if (process.stdin.isTTY) return '';
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}
