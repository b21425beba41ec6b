/**
 * Benchmark: installing gcloud, terraform and helm from a loopback mirror, cold (concurrently,
 * and one after another) against the slowest single tool, then warm. Archives hold random
 * (incompressible) padding so they are as large as the real ones (gcloud the largest), and the
 * mirror paces each response to a runner-like per-connection bandwidth, so downloads take
 * network-shaped time rather than loopback time.
 *
 * Run alone with `npx tsx bench/tools-install.ts` (prints the figures and writes
 * .bench/tools-install.json); bench/run.ts calls benchToolsInstall().
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { installTools, TOOL_RECIPES } from '../src/phases/tools.js';
import { currentPlatform } from '../src/tools/sources.js';
import { buildArchive, Mirror, publish } from '../test/support/mirror.js';
import { PROJECT_ROOT } from '../test/support/project.js';
import { testContext, testInputs } from '../test/support/task-context.js';
import { writeTestPins } from '../test/support/test-pins.js';
import { TEST_PINS_ENV } from '../src/tools/pins/pin-table.js';

const MB = 1024 * 1024;
/** Archive sizes near the real ones (the real gcloud archive is larger still). */
const PADDING = { gcloud: 60 * MB, terraform: 25 * MB, helm: 15 * MB, kubectl: 57 * MB } as const;
/** Per-connection bandwidth; a hosted runner downloads from a CDN at roughly this rate. */
const BYTES_PER_SECOND = 25 * MB;

export async function benchToolsInstall(): Promise<Record<string, number>> {
  const platform = currentPlatform();
  const mirror = await Mirror.start();
  const inputs = testInputs({ 'tool-mirror': mirror.url });
  const dirs: string[] = [];
  try {
    for (const recipe of TOOL_RECIPES) {
      const wanted = inputs.tools[recipe.tool];
      if (wanted.kind !== 'pinned') throw new Error('the benchmark installs pinned versions');
      const archive = buildArchive(recipe.tool, wanted.version, platform, PADDING[recipe.tool]);
      publish(mirror, recipe, archive, platform, { bytesPerSecond: BYTES_PER_SECOND });
    }

    // The stand-in archives' digests, pinned as the action pins real releases (test-pins.ts).
    const pinsDir = mkdtempSync(path.join(tmpdir(), 'bench-pins-'));
    dirs.push(pinsDir);
    const pins = path.join(pinsDir, 'pins.json');
    writeTestPins(pins);

    /** Installs `recipes` (concurrently when more than one) into `cacheOf`'s or a fresh cache. */
    const timed = async (recipes = TOOL_RECIPES, cache?: string) => {
      const ctx = testContext({
        inputs,
        env: { [TEST_PINS_ENV]: pins, ...(cache ? { RUNNER_TOOL_CACHE: cache } : {}) }
      });
      dirs.push(ctx.dir);
      const requestsBefore = mirror.requests.length;
      const started = performance.now();
      await installTools(ctx, recipes);
      return {
        ms: performance.now() - started,
        requests: mirror.requests.length - requestsBefore,
        cache: ctx.env.RUNNER_TOOL_CACHE ?? ''
      };
    };

    const single: Record<string, number> = {};
    for (const recipe of TOOL_RECIPES) single[recipe.tool] = (await timed([recipe])).ms;
    let sequentialMs = 0;
    for (const recipe of TOOL_RECIPES) sequentialMs += (await timed([recipe])).ms;
    const cold = await timed();
    // What the phases wait for on a warm runner: gcloud is re-checked in the background.
    const awaited = TOOL_RECIPES.filter((recipe) => recipe.tool !== 'gcloud');
    const warm = await timed(awaited, cold.cache);
    const warmAll = await timed(TOOL_RECIPES, cold.cache);
    const slowestMs = Math.max(...Object.values(single));

    return {
      coldRatio: cold.ms / slowestMs,
      sequentialRatio: sequentialMs / slowestMs,
      coldConcurrentMs: cold.ms,
      coldSequentialMs: sequentialMs,
      slowestSingleMs: slowestMs,
      gcloudMs: single.gcloud ?? Number.NaN,
      terraformMs: single.terraform ?? Number.NaN,
      helmMs: single.helm ?? Number.NaN,
      warmMs: warm.ms,
      warmWithGcloudMs: warmAll.ms,
      warmDownloads: warm.requests + warmAll.requests,
      archiveMB: Object.values(PADDING).reduce((a, b) => a + b, 0) / MB,
      mirrorMBps: BYTES_PER_SECOND / MB
    };
  } finally {
    await mirror.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const figures = await benchToolsInstall();
  const show = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));
  console.log(
    `cold concurrent / slowest single tool: ${show(figures.coldRatio ?? NaN)} (target ≤ 1.25)`
  );
  console.log(
    `cold one after another / slowest single tool: ${show(figures.sequentialRatio ?? NaN)}`
  );
  console.log(
    `warm install: ${show(figures.warmMs ?? NaN)} ms with ${figures.warmDownloads} downloads (target < 1000 ms, 0)`
  );
  console.log(JSON.stringify(figures, null, 2));
  mkdirSync(path.join(PROJECT_ROOT, '.bench'), { recursive: true });
  writeFileSync(
    path.join(PROJECT_ROOT, '.bench', 'tools-install.json'),
    `${JSON.stringify(figures, null, 2)}\n`
  );
}
