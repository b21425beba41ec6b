// The action's three bundles (main, post, the kubeconfig credential plugin), built at once, each
// in its own ncc process, so a build takes about as long as the largest one. `npm run build`
// writes them to dist/; check-dist.mjs builds them afresh to compare.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ncc = path.join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');

const BUNDLES = [
  ['src/index.ts', 'main', ['--license', 'licenses.txt']],
  ['src/post.ts', 'post', []],
  ['src/credential/index.ts', 'credential', []]
];

/** Builds every bundle into outRoot/NAME; rejects naming each one that failed, with its output. */
export async function buildBundles(outRoot, { quiet = false } = {}) {
  const failures = (await Promise.all(BUNDLES.map((b) => buildOne(b, outRoot, quiet)))).filter(
    Boolean
  );
  if (failures.length > 0) throw new Error(`ncc failed:\n${failures.join('\n')}`);
}

function buildOne([entry, out, extra], outRoot, quiet) {
  const args = [ncc, 'build', path.join(root, entry), '-o', path.join(outRoot, out)];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...args, '--target', 'es2022', ...extra], {
      cwd: root,
      stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit'
    });
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolve(`${entry}: ${error.message}`));
    child.on('close', (code) =>
      resolve(code === 0 ? undefined : `${entry}: exited with ${code}\n${output.trim()}`)
    );
  });
}
