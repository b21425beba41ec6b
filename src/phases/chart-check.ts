/**
 * Before `terraform apply`: the chart version exists in the repository index and the values the
 * action will write render with it (`helm template` on the pulled chart, placeholders for the
 * outputs Terraform has not made yet). A bad chart version or value then costs seconds, not a
 * 15-minute apply followed by a failed Helm install.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Inputs } from '../inputs.js';
import { StepError } from '../errors.js';
import { dryRunState } from '../engine/placeholders.js';
import type { Phase, TaskStep } from '../engine/types.js';
import {
  FLYTE_CHART,
  pullArgs,
  repoAddArgs,
  searchVersionArgs,
  templateArgs
} from '../tools/helm/args.js';
import { composeValues } from '../values/compose.js';
import { readSources } from './flyte-values.js';
import { runTool } from './flyte-support.js';

function chartCheckStep(inputs: Inputs): TaskStep {
  return {
    kind: 'task',
    id: 'chart-check',
    title: `Check that ${FLYTE_CHART} ${inputs.chartVersion} exists and renders the values`,
    mutates: false,
    // Only an apply is worth guarding; an unchanged deploy skips the network round trips.
    when: {
      test: (state) => state.planHasChanges === true,
      describe: 'the plan has changes, so an apply would follow',
      skipped: () => 'the plan has no changes, so no apply follows to guard.'
    },
    describe: (state) => {
      const dir = path.join(state.workDir ?? '$RUNNER_TEMP/flyte-gke', 'chart');
      return [
        `$ helm ${repoAddArgs().join(' ')}`,
        `$ helm ${searchVersionArgs(inputs.chartVersion).join(' ')}   (the version must be in the index)`,
        `$ helm ${pullArgs(inputs.chartVersion, dir).join(' ')}`,
        `$ helm ${templateArgs(inputs.releaseName, `${dir}/flyte-binary-${inputs.chartVersion}.tgz`, inputs.namespace, `${dir}/values.yaml`).join(' ')}`,
        '(values patched with placeholders for the Terraform outputs not known before the apply)'
      ].join('\n');
    },
    run: async (ctx) => {
      const dir = path.join(ctx.state.workDir ?? '', 'chart');
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      ctx.registerCleanup(dir);
      await runTool(ctx, 'chart-check', 'helm', repoAddArgs());
      const found = await runTool(
        ctx,
        'chart-check',
        'helm',
        searchVersionArgs(inputs.chartVersion)
      );
      let listed: unknown[] = [];
      try {
        listed = JSON.parse(found.stdout.trim() || '[]') as unknown[];
      } catch {
        listed = [];
      }
      if (listed.length === 0) {
        throw new StepError(
          'chart-check',
          `chart-version ${inputs.chartVersion} is not in the ${FLYTE_CHART} repository index, so nothing was applied. List the versions with \`helm search repo ${FLYTE_CHART} --versions\` and set chart-version to one of them.`
        );
      }
      await runTool(ctx, 'chart-check', 'helm', pullArgs(inputs.chartVersion, dir));
      const chart = readdirSync(dir).find((f) => f.endsWith('.tgz'));
      if (!chart) {
        throw new StepError('chart-check', `helm pull left no chart archive in ${dir}.`);
      }
      // The values as the install will write them, the outputs still placeholders.
      const placeholders = ctx.state.tfOutputs ?? dryRunState(inputs).tfOutputs!;
      const values = composeValues(readSources(inputs), inputs, placeholders);
      const file = path.join(dir, 'values.yaml');
      writeFileSync(file, values.text, { mode: 0o600 });
      const rendered = await runTool(
        ctx,
        'chart-check',
        'helm',
        templateArgs(inputs.releaseName, path.join(dir, chart), inputs.namespace, file),
        { allowFailure: true }
      );
      if (rendered.exitCode !== 0) {
        throw new StepError(
          'chart-check',
          `The values do not render with ${FLYTE_CHART} ${inputs.chartVersion}, so nothing was applied:\n${(rendered.stderr || rendered.stdout).trim().split('\n').slice(-8).join('\n')}\nFix the values (values-file, extra-values-files) or the chart-version.`
        );
      }
      ctx.log.info(`${FLYTE_CHART} ${inputs.chartVersion} is in the index and renders the values.`);
    }
  };
}

/** In a deploy, between the plan and the apply. */
export function chartCheckPhase(inputs: Inputs): Phase {
  return { name: 'Chart check', steps: () => [chartCheckStep(inputs)] };
}
