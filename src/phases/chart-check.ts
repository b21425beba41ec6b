/**
 * Before `terraform apply`: the chart version exists in the repository index and the values the
 * action will write render with it (`helm template` on the pulled chart, placeholders for the
 * outputs Terraform has not made yet). A bad chart version or value then costs seconds, not a
 * 15-minute apply followed by a failed Helm install.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Inputs } from '../inputs.js';
import { StepError } from '../errors.js';
import { dryRunState } from '../engine/placeholders.js';
import type { Phase, TaskStep } from '../engine/types.js';
import { FLYTE_CHART, templateArgs } from '../tools/helm/args.js';
import { chartFileFor, ensureChart } from './chart-fetch.js';
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
        `The ${FLYTE_CHART} ${inputs.chartVersion} archive (tool cache, else the repository index and archive, checked by the index's digest): a version missing from the index stops here.`,
        `$ helm ${templateArgs(inputs.releaseName, chartFileFor(inputs, state.toolCacheDir), inputs.namespace, `${dir}/values.yaml`).join(' ')}`,
        '(values patched with placeholders for the Terraform outputs not known before the apply)'
      ].join('\n');
    },
    run: async (ctx) => {
      const dir = path.join(ctx.state.workDir ?? '', 'chart');
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      ctx.registerCleanup(dir);
      const chart = await ensureChart(ctx);
      // The values as the install will write them, the outputs still placeholders.
      const placeholders = ctx.state.tfOutputs ?? dryRunState(inputs).tfOutputs!;
      const values = composeValues(readSources(inputs, ctx.state), inputs, placeholders);
      const file = path.join(dir, 'values.yaml');
      writeFileSync(file, values.text, { mode: 0o600 });
      const rendered = await runTool(
        ctx,
        'chart-check',
        'helm',
        templateArgs(inputs.releaseName, chart, inputs.namespace, file),
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
