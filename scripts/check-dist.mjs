// Fails when the committed dist/ differs from a fresh build of the sources.
// Usage: node scripts/check-dist.mjs [dist-dir]   (the argument lets a test point it at a stale copy)
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBundles } from './bundles.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const committed = path.resolve(root, process.argv[2] ?? 'dist');
const fresh = mkdtempSync(path.join(tmpdir(), 'flyte-gke-dist-'));

try {
  await buildBundles(fresh, { quiet: true });
  const list = (dir) =>
    existsSync(dir)
      ? readdirSync(dir, { recursive: true })
          .map(String)
          .filter((f) => statSync(path.join(dir, f)).isFile())
          .sort()
      : [];
  const problems = [];
  const want = list(fresh);
  const have = list(committed);
  for (const file of want) {
    if (!have.includes(file)) problems.push(`missing: dist/${file}`);
    else if (!readFileSync(path.join(fresh, file)).equals(readFileSync(path.join(committed, file))))
      problems.push(`differs: dist/${file}`);
  }
  for (const file of have) if (!want.includes(file)) problems.push(`extra: dist/${file}`);
  if (problems.length > 0) {
    console.error(
      `dist/ does not match the sources. Run \`npm run build\` and commit dist/.\n${problems.join('\n')}`
    );
    process.exit(1);
  }
  console.log('dist/ matches a fresh build.');
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
