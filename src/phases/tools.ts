/**
 * Installs terraform, helm and kubectl, and starts gcloud beside them. The three are awaited: the
 * plan needs them, and each is one small download. gcloud (about 180 MB, then unpacked) is not:
 * the action's own Google calls go through REST and kubectl/Helm authenticate with the action's
 * exec credential plugin, so only a gcloud command waits for it (engine/background.ts). With
 * install-gcloud true the run waits for it at the end, so the job's later steps find gcloud on
 * PATH as users expect; with false it starts only when a gcloud command of the run needs it.
 * Beside them, the locked Terraform providers' zips are put in a mirror for init, each checked
 * against the committed lock file (terraform/provider-fill.ts). Downloads run at once: each is
 * mostly waiting on the network or on tar.
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
import { kubectlRecipe } from '../tools/kubectl/install.js';
import { terraformRecipe } from '../tools/terraform/install.js';
import { hostedCacheSteps } from '../tools/cache/restore-step.js';
import { mirrorLockedProviders } from '../terraform/provider-fill.js';
import { providerRunFiles } from '../terraform/provider-mirror.js';

export const TOOL_RECIPES: readonly Recipe[] = [
  gcloudRecipe,
  terraformRecipe,
  helmRecipe,
  kubectlRecipe
];
/** What the plan waits for; gcloud installs in the background. */
const AWAITED_RECIPES: readonly Recipe[] = [terraformRecipe, helmRecipe, kubectlRecipe];

export function toolsPhase(inputs: Inputs): Phase {
  return {
    name: 'Install tools',
    steps: () => [
      ...hostedCacheSteps(inputs, TOOL_RECIPES),
      {
        kind: 'task',
        id: 'install-tools',
        title:
          'Install terraform, helm and kubectl, and mirror the locked providers; gcloud in the background',
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
            inputs.installGcloud
              ? 'gcloud installs in the background: only a gcloud command waits for it, and the run ends once it is in place.'
              : 'gcloud (install-gcloud: false) installs only when a gcloud command of this run needs it, which waits for it.',
            `Providers: each locked provider's zip for this platform (kept in $RUNNER_TOOL_CACHE, or downloaded from registry.terraform.io) is copied to ${providerRunFiles('$RUNNER_TEMP/flyte-gke').mirror} and used only when its SHA-256 is one of the zh: hashes of the committed .terraform.lock.hcl; terraform then runs with TF_CLI_CONFIG_FILE=${providerRunFiles('$RUNNER_TEMP/flyte-gke').cliConfig} (filesystem_mirror for those providers, direct for the rest). Skipped when the job has its own CLI configuration (TF_CLI_CONFIG_FILE, ~/.terraformrc).`
          ].join('\n'),
        run: (ctx) => installToolsBeside(ctx)
      }
    ]
  };
}

/**
 * terraform, helm and kubectl now; gcloud beside the phases when the runner can run work beside
 * them, at once or (install-gcloud false) on the first gcloud command.
 */
export async function installToolsBeside(ctx: TaskContext): Promise<void> {
  // Never rejects (provider-fill.ts): a provider it cannot verify is left to terraform init.
  const providers = mirrorLockedProviders(ctx);
  try {
    await installToolsAndGcloud(ctx);
  } finally {
    await providers;
  }
}

async function installToolsAndGcloud(ctx: TaskContext): Promise<void> {
  if (!ctx.background) {
    await Promise.all(Object.values(ctx.state.backgroundRestores ?? {}));
    return installTools(ctx);
  }
  const gcloud = async () => {
    // Its archive may still be coming back from the Actions cache (tools/cache/restore-step.ts).
    await ctx.state.backgroundRestores?.gcloud;
    await installTools(ctx, [gcloudRecipe]);
  };
  if (ctx.inputs.installGcloud) ctx.background.start('gcloud', gcloud);
  else ctx.background.startOnNeed('gcloud', gcloud);
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
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length === 1 && failures[0] instanceof Error) throw failures[0];
  if (failures.length > 0) {
    throw new StepError(
      'install-tools',
      failures.map((f) => (f instanceof Error ? f.message : String(f))).join('\n')
    );
  }
}
