/**
 * Installs gcloud (with kubectl and gke-gcloud-auth-plugin), terraform and helm. The three run
 * at once: each is mostly waiting on the network or on tar, so together they take about as long
 * as the slowest one.
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

export const TOOL_RECIPES: readonly Recipe[] = [gcloudRecipe, terraformRecipe, helmRecipe];

export function toolsPhase(inputs: Inputs): Phase {
  return {
    name: 'Install tools',
    steps: () => [
      {
        kind: 'task',
        id: 'install-tools',
        title: 'Install gcloud, terraform and helm',
        mutates: false,
        describe: () =>
          TOOL_RECIPES.map((recipe) =>
            describeInstall(recipe, inputs.tools[recipe.tool], currentPlatform(), inputs.toolMirror)
          ).join('\n'),
        run: (ctx) => installTools(ctx)
      }
    ]
  };
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
