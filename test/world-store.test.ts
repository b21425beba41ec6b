/**
 * world.json is written by many processes at once: stand-ins running side by side (a read-ahead
 * kubectl beside a planning terraform) and the loopback Google APIs in the test process (a REST
 * bucket or object write). A writer that read the world early must add its own changes to what is
 * there now, never put back the world it read: once, CI lost the state bucket a REST call had just
 * made to a stand-in that wrote its stale world over it.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from './support/project.js';
import {
  applyChanges,
  commitWorld,
  readWorld,
  updateWorld
} from './support/standins/world-store.mjs';

const STANDIN = path.join(PROJECT_ROOT, 'test/support/standins/standin.mjs');
const STORE = path.join(PROJECT_ROOT, 'test/support/standins/world-store.mjs');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'flyte-world-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const exited = (child: ReturnType<typeof spawn>) =>
  new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 20));
  expect(condition()).toBe(true);
}

describe('applyChanges', () => {
  it('carries over what the writer changed and leaves what another writer changed since', () => {
    const base = { helm: { repos: {} }, terraform: { lock: { id: 1 }, applied: true } };
    const next = { helm: { repos: { flyteorg: 'u' } }, terraform: { applied: true } };
    const now = {
      helm: { repos: {} },
      terraform: { lock: { id: 1 }, applied: true },
      gcloud: { buckets: { b: {} } }
    };
    expect(applyChanges(now, base, next)).toEqual({
      helm: { repos: { flyteorg: 'u' } },
      terraform: { applied: true },
      gcloud: { buckets: { b: {} } }
    });
  });

  it('replaces arrays whole, as the writer left them', () => {
    const now = { gcloud: { peerings: { net: ['a', 'b'] } } };
    applyChanges(
      now,
      { gcloud: { peerings: { net: ['a', 'b'] } } },
      { gcloud: { peerings: { net: ['b'] } } }
    );
    expect(now.gcloud.peerings.net).toEqual(['b']);
  });
});

describe('writers at once', () => {
  it('keeps every change when eight processes commit over a world they read before the others wrote', async () => {
    // Each child reads the world, waits until all have read it, then commits one key of its own.
    const script = `
      import { commitWorld, readWorld } from ${JSON.stringify(STORE)};
      import { existsSync, writeFileSync } from 'node:fs';
      const [dir, name] = process.argv.slice(2);
      const base = readWorld(dir);
      writeFileSync(dir + '/read-' + name, '');
      const next = structuredClone(base);
      (next.writers ??= {})[name] = true;
      while (!existsSync(dir + '/go')) await new Promise((r) => setTimeout(r, 5));
      commitWorld(dir, base, next);
    `;
    writeFileSync(path.join(dir, 'writer.mjs'), script);
    updateWorld(dir, (w: { writers?: object }) => {
      w.writers = {};
    });
    const children = Array.from({ length: 8 }, (_, i) =>
      exited(
        spawn(process.execPath, [path.join(dir, 'writer.mjs'), dir, `child-${i}`], {
          stdio: 'inherit'
        })
      )
    );
    await until(() => children.every((_, i) => existsSync(path.join(dir, `read-child-${i}`))));
    writeFileSync(path.join(dir, 'go'), '');
    // The test process writes too, as the loopback Google APIs do.
    for (let i = 0; i < 20; i++) {
      updateWorld(dir, (w: { parent?: Record<string, boolean> }) => {
        (w.parent ??= {})[`p${i}`] = true;
      });
      await new Promise((r) => setTimeout(r, 3));
    }
    expect(await Promise.all(children)).toEqual(Array(8).fill(0));
    const world = readWorld<{ writers: object; parent: object }>(dir);
    expect(Object.keys(world.writers).sort()).toEqual(
      Array.from({ length: 8 }, (_, i) => `child-${i}`).sort()
    );
    expect(Object.keys(world.parent)).toHaveLength(20);
    expect(existsSync(path.join(dir, 'world.json.lock'))).toBe(false);
  });

  it('a slow stand-in keeps the bucket a REST call made while it ran', async () => {
    // `helm repo add` held for a while (as a slow command is), then committing its repository.
    writeFileSync(
      path.join(dir, 'rules.json'),
      JSON.stringify({ helm: [{ match: ['repo', 'add'], passThrough: true, delayMs: 1500 }] })
    );
    const child = exited(
      spawn(
        process.execPath,
        [STANDIN, 'helm', 'repo', 'add', 'flyteorg', 'https://flyteorg.github.io/flyte'],
        { env: { ...process.env, FLYTE_STANDIN_DIR: dir }, stdio: ['ignore', 'ignore', 'inherit'] }
      )
    );
    await until(() => existsSync(path.join(dir, 'holding.jsonl')));
    updateWorld(dir, (w: { gcloud?: { buckets?: Record<string, object> } }) => {
      ((w.gcloud ??= {}).buckets ??= {})['acme-tfstate'] = { location: 'US' };
    });
    expect(await child).toBe(0);
    const world = readWorld<{ helm: { repos: object }; gcloud: { buckets: object } }>(dir);
    expect(world.helm.repos).toEqual({ flyteorg: 'https://flyteorg.github.io/flyte' });
    expect(Object.keys(world.gcloud.buckets)).toEqual(['acme-tfstate']);
  });

  it('a lock a killed writer left behind is taken over, not waited on for ever', () => {
    const lock = path.join(dir, 'world.json.lock');
    writeFileSync(lock, '');
    const aMinuteAgo = new Date(Date.now() - 60_000);
    utimesSync(lock, aMinuteAgo, aMinuteAgo);
    commitWorld(dir, {}, { taken: true });
    expect(readWorld(dir)).toEqual({ taken: true });
  });
});
