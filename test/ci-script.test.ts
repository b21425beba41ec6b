/**
 * CI's script (.ci/run) and the set-up it relies on: Node 24 comes first on PATH and an older node
 * is refused at install; every test file that asserts order or overlap also runs under load.
 */
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NODE24 } from './support/harness.js';
import { PROJECT_ROOT } from './support/project.js';

const read = (file: string) => readFileSync(path.join(PROJECT_ROOT, file), 'utf8');
const ciRun = read('.ci/run');

/** The files .ci/run runs with the busy loops beside them. */
function underLoad(): string[] {
  const list = /^UNDER_LOAD=\(([^)]*)\)$/m.exec(ciRun)?.[1];
  if (!list) throw new Error('.ci/run has no UNDER_LOAD=(...) line');
  return list.split(/\s+/).filter(Boolean);
}

/** What a test uses when it asserts order or overlap: the engine's record, a held call, a barrier. */
const ORDER_HELPERS = /engine-order\.js|killOn:|untilSignalled|holdUntilOpen|\.events\b/;

describe('.ci/run', () => {
  it('runs every file that asserts order or overlap under load, and only files that exist', () => {
    const files = readdirSync(path.join(PROJECT_ROOT, 'test')).filter((f) =>
      f.endsWith('.test.ts')
    );
    const ordered = files
      .filter((f) => f !== path.basename(import.meta.filename))
      .filter((f) => ORDER_HELPERS.test(read(path.join('test', f))))
      .map((f) => `test/${f}`);
    expect(ordered.length).toBeGreaterThanOrEqual(3);
    expect(underLoad().sort()).toEqual(expect.arrayContaining(ordered.sort()));
    for (const file of underLoad()) expect(files).toContain(path.basename(file));
  });

  it('keeps two bounded busy loops beside that run, killed when the script exits', () => {
    const start = ciRun.indexOf("timeout 1800 bash -c 'while :; do :; done' &");
    const loaded = ciRun.indexOf('npm run jest -- "${UNDER_LOAD[@]}"');
    expect(ciRun).toMatch(/^for _ in 1 2; do$/m);
    expect(ciRun).toMatch(/^trap stop_hogs EXIT$/m);
    expect(start).toBeGreaterThan(-1);
    expect(loaded).toBeGreaterThan(start);
    // Installed first, the whole suite last.
    expect(ciRun.search(/^npm ci /m)).toBeLessThan(start);
    expect(ciRun.lastIndexOf('npm test')).toBeGreaterThan(loaded);
  });

  it('puts Node 24 first on PATH before npm ci', () => {
    const exported = ciRun.search(/^export PATH="\$node24:\$PATH"$/m);
    expect(exported).toBeGreaterThan(-1);
    expect(exported).toBeLessThan(ciRun.search(/^npm ci /m));
  });
});

describe('Node 24 for a fresh machine', () => {
  it('refuses an older node at install: engines >=24 and engine-strict', () => {
    const pkg = JSON.parse(read('package.json')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe('>=24');
    expect(read('.npmrc').split('\n')).toContain('engine-strict=true');
  });

  it('scripts/node24-dir.sh pins the lock file’s node, a 24', () => {
    const lock = JSON.parse(read('package-lock.json')) as {
      packages: Record<string, { version: string }>;
    };
    expect(lock.packages['node_modules/node']?.version).toMatch(/^24\./);
    expect(read('scripts/node24-dir.sh')).toContain("packages['node_modules/node'].version");
  });

  it('scripts/node24-dir.sh answers with the node on PATH when it is already 24, fetching nothing', () => {
    const dir = path.dirname(NODE24);
    // Only bash and dirname besides node 24: were npm needed, the script would fail.
    const bin = mkdtempSync(path.join(tmpdir(), 'node24-dir-'));
    for (const program of ['bash', 'dirname']) {
      symlinkSync(
        execFileSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).trim(),
        path.join(bin, program)
      );
    }
    try {
      const out = execFileSync(path.join(PROJECT_ROOT, 'scripts', 'node24-dir.sh'), {
        env: { PATH: `${dir}:${bin}` },
        encoding: 'utf8'
      });
      expect(out.trim()).toBe(dir);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
