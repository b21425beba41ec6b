/**
 * The set-up the tool download tests share: one loopback mirror for the file, a task context whose
 * `tool-mirror` input points at it, and install dependencies with the test pins (support/test-pins.ts)
 * over a fetcher that is disposed when the file's tests end.
 */
import { afterAll, beforeAll } from '@jest/globals';
import type { InstallDeps } from '../../src/tools/download.js';
import { createFetcher } from '../../src/tools/http.js';
import { currentPlatform } from '../../src/tools/sources.js';
import { Mirror } from './mirror.js';
import { testContext, testInputs, type TestContext } from './task-context.js';
import { testPins } from './test-pins.js';

export interface ToolMirror {
  /** The file's mirror (started in beforeAll). */
  readonly mirror: Mirror;
  /** A context whose inputs name the mirror, plus `values`. */
  context(values?: Record<string, string>, env?: NodeJS.ProcessEnv): TestContext;
  /** Install dependencies; a fetcher that tries once unless `attempts` says otherwise. */
  deps(
    ctx: TestContext,
    options?: Partial<Omit<InstallDeps, 'ctx'>> & { attempts?: number }
  ): InstallDeps;
}

export function useToolMirror(): ToolMirror {
  let mirror: Mirror | undefined;
  const fetchers: { dispose(): void }[] = [];
  beforeAll(async () => {
    mirror = await Mirror.start();
  });
  afterAll(async () => {
    for (const fetcher of fetchers) fetcher.dispose();
    await mirror?.close();
  });
  const started = (): Mirror => {
    if (!mirror) throw new Error('useToolMirror: the mirror starts in beforeAll');
    return mirror;
  };
  return {
    get mirror() {
      return started();
    },
    context: (values = {}, env = {}) =>
      testContext({ inputs: testInputs({ 'tool-mirror': started().url, ...values }), env }),
    deps: (ctx, { attempts = 1, ...options } = {}) => {
      const fetcher = createFetcher({ clock: ctx.clock, attempts });
      fetchers.push(fetcher);
      return {
        ctx,
        fetcher,
        platform: currentPlatform(),
        mirror: ctx.inputs.toolMirror,
        pins: testPins().tools,
        allowUnpinned: false,
        releaseKeys: testPins().releaseKeys,
        ...options
      };
    }
  };
}
