// Runs the bundled action in dry run, as a runner would, on an example input set.
// Usage: node scripts/dry-run.mjs [inputs.yml] [key=value ...]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [file = 'examples/inputs/dev.yml', ...overrides] = process.argv.slice(2);
const inputs = { ...parse(readFileSync(path.resolve(root, file), 'utf8')), 'dry-run': 'true' };
for (const pair of overrides) {
  const at = pair.indexOf('=');
  inputs[pair.slice(0, at)] = pair.slice(at + 1);
}

const temp = mkdtempSync(path.join(tmpdir(), 'flyte-gke-dry-run-'));
const env = { PATH: process.env.PATH, HOME: process.env.HOME };
for (const [name, value] of Object.entries(inputs)) {
  env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = String(value);
}
for (const name of [
  'GITHUB_OUTPUT',
  'GITHUB_ENV',
  'GITHUB_PATH',
  'GITHUB_STATE',
  'GITHUB_STEP_SUMMARY'
]) {
  env[name] = path.join(temp, name.toLowerCase());
  writeFileSync(env[name], '');
}
Object.assign(env, {
  RUNNER_TEMP: temp,
  RUNNER_TOOL_CACHE: path.join(temp, 'tool-cache'),
  GITHUB_WORKSPACE: root,
  GITHUB_REPOSITORY: 'acme/flyte-platform',
  GITHUB_EVENT_NAME: 'workflow_dispatch'
});
const result = spawnSync(process.execPath, [path.join(root, 'dist/main/index.js')], {
  env,
  stdio: ['ignore', 'pipe', 'inherit'],
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024
});
// A runner consumes `::add-mask::` commands and never shows them; do the same here.
process.stdout.write(
  result.stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n')
);
rmSync(temp, { recursive: true, force: true });
process.exit(result.status ?? 1);
