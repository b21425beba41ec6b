/**
 * gcloud installs in the background (phases/tools.ts), so its archive's restore from the Actions
 * cache must not hold up the restore step either: the step ends once terraform's, helm's and the
 * chart's entries are back, and gcloud's restore finishes beside the phases, recorded for the
 * post step when it does.
 */
import { describe, expect, it } from '@jest/globals';
import { restoreHostedCaches } from '../src/tools/cache/restore-step.js';
import type { CacheService, RestoreResult } from '../src/tools/cache/service.js';
import type { CacheEntry } from '../src/tools/cache/entries.js';
import { TOOL_RECIPES } from '../src/phases/tools.js';
import { testContext, testInputs } from './support/task-context.js';

describe('the restore step and a background tool', () => {
  it("ends before gcloud's archive is back, which the gcloud install then awaits", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const asked: string[] = [];
    const service: CacheService = {
      unavailable: () => undefined,
      restore: async (entry: CacheEntry): Promise<RestoreResult> => {
        asked.push(entry.name);
        if (entry.tool === 'gcloud') await gate;
        return { kind: 'restored', files: 1 };
      },
      save: async () => ({ kind: 'saved' })
    };
    // Shipped pins: gcloud 588.0.0, terraform and helm defaults, chart v1.16.8.
    const ctx = testContext({
      inputs: testInputs({ 'gcloud-version': '588.0.0' }),
      env: { RUNNER_ENVIRONMENT: 'github-hosted' }
    });
    await restoreHostedCaches(ctx, TOOL_RECIPES, service);
    const entries = ctx.state.hostedCache!.entries;
    const gcloud = entries.find((e) => e.tool === 'gcloud')!;
    expect(asked).toContain(gcloud.name);
    // Everything else is back; gcloud's restore is still running.
    expect(entries.filter((e) => e !== gcloud).every((e) => e.present)).toBe(true);
    expect(gcloud.present).toBe(false);
    const background = ctx.state.backgroundRestores!.gcloud!;
    let settled = false;
    void background.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    release();
    await background;
    expect(gcloud.present).toBe(true);
  });

  it('a gcloud restore that throws is a warning, never a rejected promise', async () => {
    const service: CacheService = {
      unavailable: () => undefined,
      restore: async (entry) => {
        if (entry.tool === 'gcloud') throw new Error('socket hang up');
        return { kind: 'miss' };
      },
      save: async () => ({ kind: 'saved' })
    };
    const ctx = testContext({
      inputs: testInputs({ 'gcloud-version': '588.0.0' }),
      env: { RUNNER_ENVIRONMENT: 'github-hosted' }
    });
    await restoreHostedCaches(ctx, TOOL_RECIPES, service);
    await expect(ctx.state.backgroundRestores!.gcloud).resolves.toBeUndefined();
    expect(ctx.log.lines.join('\n')).toMatch(
      /warning: gcloud 588\.0\.0: the Actions cache could not be read \(Error: socket hang up\)/
    );
  });
});
