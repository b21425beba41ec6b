/**
 * The default chart version is pinned in the action's source, so the run never warns that it is
 * unpinned, and a kept or mirrored archive that does not match the pin is refused on every use.
 * With the flyteorg/flyte mirror present (its gh-pages branch is what GitHub Pages serves as the
 * chart repository), the real v1.16.8 index and archive are served on a loopback mirror and go
 * through the same code; without it (CI) that part is skipped and says why. The archive is read
 * from the mirror only, never copied into this repository.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SHIPPED_PINS } from '../src/tools/pins/pin-table.js';
import { FLYTE_REPO } from '../src/tools/helm/args.js';
import { cachedChart } from '../src/tools/helm/chart-cache.js';
import { createFetcher } from '../src/tools/http.js';
import { fakeClock } from './support/fakes.js';
import { makeInputs } from './support/github-fixture.js';
import { Mirror, mirrorPath, sha256 } from './support/mirror.js';

const FLYTE_MIRROR = '/work/.mirror/flyteorg+flyte/repo';
const V1168 = '2a0df4fb7798c9d18e41be31c60e218f48aa19538e1cd34e33fe9faf9921bcae';

describe('the shipped chart pins', () => {
  it('pin the default chart-version, so the run\'s "no digest pinned" warning is not reached', () => {
    const { chartVersion } = makeInputs({ command: 'plan' });
    expect(chartVersion).toBe('v1.16.8');
    expect(SHIPPED_PINS.charts[chartVersion]).toBe(V1168);
  });
});

const gitShow = (object: string) =>
  execFileSync('git', ['-C', FLYTE_MIRROR, 'show', object], { maxBuffer: 64 * 1024 * 1024 });

const haveMirror = existsSync(FLYTE_MIRROR);
const realArchiveSuite = haveMirror
  ? describe
  : (name: string, fn: () => void) =>
      describe.skip(`${name} (skipped: no flyteorg/flyte mirror at ${FLYTE_MIRROR})`, fn);

realArchiveSuite('the real flyte-binary v1.16.8 from the repository gh-pages branch', () => {
  let mirror: Mirror;
  let swapped: Mirror;
  let toolCache: string;
  const warnings: string[] = [];
  const fetcher = createFetcher({ clock: fakeClock(), attempts: 1 });
  const archiveUrl = 'https://flyteorg.github.io/flyte/flyte-binary-v1.16.8.tgz';
  const deps = (url: string) => ({
    fetcher,
    toolCache,
    mirror: url,
    pins: SHIPPED_PINS.charts,
    warn: (m: string) => warnings.push(m)
  });

  beforeAll(async () => {
    [mirror, swapped] = await Promise.all([Mirror.start(), Mirror.start()]);
    const index = gitShow('gh-pages:index.yaml');
    const archive = gitShow('gh-pages:flyte-binary-v1.16.8.tgz');
    mirror.serve(mirrorPath(mirror, `${FLYTE_REPO.url}/index.yaml`), index);
    mirror.serve(mirrorPath(mirror, archiveUrl), archive);
    // A mirror that swapped the archive and rewrote the index to agree with it.
    const other = Buffer.concat([archive, Buffer.from('appended')]);
    const rewritten = index.toString('utf8').replace(V1168, sha256(other));
    swapped.serve(mirrorPath(swapped, `${FLYTE_REPO.url}/index.yaml`), rewritten);
    swapped.serve(mirrorPath(swapped, archiveUrl), other);
  });
  afterAll(async () => {
    fetcher.dispose();
    await Promise.all([mirror.close(), swapped.close()]);
  });
  beforeEach(() => {
    toolCache = mkdtempSync(path.join(os.tmpdir(), 'tool-cache-'));
  });

  it('its archive and index digest match the pin; it is fetched once and then served pinned from the cache', async () => {
    expect(sha256(gitShow('gh-pages:flyte-binary-v1.16.8.tgz'))).toBe(V1168);
    const first = await cachedChart(deps(mirror.url), 'v1.16.8');
    expect(first).toMatchObject({ sha256: V1168, source: 'mirror', pinned: true });
    const sent = mirror.requests.length;
    const again = await cachedChart(deps(mirror.url), 'v1.16.8');
    expect(again).toMatchObject({ source: 'cache', pinned: true });
    expect(mirror.requests.length).toBe(sent);
  });

  it('a kept archive rewritten in the cache is refused on each use and fetched again', async () => {
    const first = await cachedChart(deps(mirror.url), 'v1.16.8');
    for (let use = 0; use < 2; use += 1) {
      writeFileSync(first.file, 'rewritten by a runner neighbour');
      const sent = mirror.requests.length;
      const again = await cachedChart(deps(mirror.url), 'v1.16.8');
      expect(again).toMatchObject({ sha256: V1168, source: 'mirror', pinned: true });
      expect(mirror.requests.length).toBe(sent + 2);
      expect(warnings.pop()).toContain("not the digest pinned in the action's source");
    }
  });

  it('a mirror whose index and archive were swapped together is refused by the pin, every time', async () => {
    for (let use = 0; use < 2; use += 1) {
      await expect(cachedChart(deps(swapped.url), 'v1.16.8')).rejects.toThrow(
        `the action's source pins ${V1168}`
      );
    }
  });
});
