/**
 * Installs terraform and helm, and starts gcloud (with kubectl and gke-gcloud-auth-plugin) beside
 * them. terraform and helm are awaited: the plan needs them. gcloud is not: the action's own
 * Google calls go through REST and kubectl/Helm authenticate with the action's exec credential
 * plugin, so only a command of gcloud or kubectl waits for it (engine/background.ts), and the run
 * waits for it at the end, so the job's later steps still find gcloud on PATH as users expect.
 * Downloads run at once: each is mostly waiting on the network or on tar.
 */
import { StepError } from '../errors.js';
import type { Inputs } from '../inputs.js';
import type { Phase, TaskContext } from '../engine/types.js';
import { describeInstall, installAndRecord, type Recipe } from '../tools/download.js';
import { runFetcher } from '../tools/http.js';
import { pinTable } from '../tools/pins/pin-table.js';
import { currentPlatform } from '../tools/sources.js';
import { gcloudRecipe } from '../tools/gcloud/install.js';
import { helmRecipe } from '../tools/helm/install.js';
import { terraformRecipe } from '../tools/terraform/install.js';
import { hostedCacheSteps } from '../tools/cache/restore-step.js';

export const TOOL_RECIPES: readonly Recipe[] = [gcloudRecipe, terraformRecipe, helmRecipe];
/** What the plan waits for; gcloud installs in the background. */
const AWAITED_RECIPES: readonly Recipe[] = [terraformRecipe, helmRecipe];

export function toolsPhase(inputs: Inputs): Phase {
  return {
    name: 'Install tools',
    steps: () => [
      ...hostedCacheSteps(inputs, TOOL_RECIPES),
      {
        kind: 'task',
        id: 'install-tools',
        title: 'Install terraform and helm; gcloud in the background',
        mutates: false,
        describe: () =>
          [
            ...TOOL_RECIPES.map((recipe) =>
              describeInstall(
                recipe,
                inputs.tools[recipe.tool],
                currentPlatform(),
                inputs.toolMirror
              )
            ),
            'gcloud installs in the background: only a gcloud or kubectl command waits for it, and the run ends once it is in place.'
          ].join('\n'),
        run: (ctx) => installToolsBeside(ctx)
      }
    ]
  };
}

/** terraform and helm now; gcloud beside the phases when the runner can run work beside them. */
export async function installToolsBeside(ctx: TaskContext): Promise<void> {
  if (!ctx.background) {
    await Promise.all(Object.values(ctx.state.backgroundRestores ?? {}));
    return installTools(ctx);
  }
  ctx.background.start('gcloud', async () => {
    // Its archive may still be coming back from the Actions cache (tools/cache/restore-step.ts).
    await ctx.state.backgroundRestores?.gcloud;
    await installTools(ctx, [gcloudRecipe]);
  });
  await installTools(ctx, AWAITED_RECIPES);
}

/** Runs every install concurrently; waits for all, then reports every failure together. */
export async function installTools(
  ctx: TaskContext,
  recipes: readonly Recipe[] = TOOL_RECIPES
): Promise<void> {
  const fetcher = runFetcher(ctx);
  const trusted = pinTable(ctx.env);
  const deps = {
    ctx,
    fetcher,
    platform: currentPlatform(),
    mirror: ctx.inputs.toolMirror,
    pins: trusted.tools,
    allowUnpinned: ctx.inputs.allowUnpinnedTools,
    releaseKeys: trusted.releaseKeys
  };
  const results = await Promise.allSettled(
    recipes.map((recipe) => installAndRecord(recipe, ctx.inputs.tools[recipe.tool], deps))
  ).finally(() => fetcher.dispose());
  const gcloud = ctx.state.tools.gcloud;
  if (gcloud && gcloud.source !== 'system') {
    ctx.state.tools.kubectl = {
      version: `gcloud ${gcloud.version} component`,
      source: gcloud.source,
      path: gcloud.path
    };
  }
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length === 1 && failures[0] instanceof Error) throw failures[0];
  if (failures.length > 0) {
    throw new StepError(
      'install-tools',
      failures.map((f) => (f instanceof Error ? f.message : String(f))).join('\n')
    );
  }
}
