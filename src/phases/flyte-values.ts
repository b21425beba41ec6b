/**
 * The Helm values phase: patch the values template with the Terraform outputs and inputs, record
 * the digest and a redacted preview, and (for deploy and upgrade) write the 0600 values file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { StepError } from '../errors.js';
import type { Inputs } from '../inputs.js';
import { dryRunState } from '../engine/placeholders.js';
import type { RunState, TerraformOutputs } from '../engine/state.js';
import type { Phase, TaskStep } from '../engine/types.js';
import { ingressDomain } from '../values/access.js';
import { composeValues, type ComposedValues, type ValuesSources } from '../values/compose.js';
import { gkeChartPath } from '../values/gke-chart.js';
import { readProxyConfigSource } from '../values/proxy-config.js';
import { ValuesError } from '../values/patch.js';
import { writeValuesFile } from '../values/write.js';
import { databasePasswordStep } from './database-password.js';

/** Deploy and upgrade write the values file, so they alone read the database password. */
const writesValuesFile = (inputs: Inputs) =>
  inputs.command === 'deploy' || inputs.command === 'upgrade';

export function valuesPhase(inputs: Inputs): Phase {
  return {
    name: 'Helm values',
    steps: () => [
      ...(writesValuesFile(inputs) ? [databasePasswordStep()] : []),
      patchValuesStep(inputs)
    ]
  };
}

/** The files the values come from; the proxy configuration from the chart the install uses. */
export function readSources(inputs: Inputs, state: Pick<RunState, 'actionRoot'>): ValuesSources {
  const read = (file: string) => ({
    name: path.relative(inputs.workspace, file) || file,
    text: readFileSync(file, 'utf8')
  });
  return {
    template: read(inputs.valuesFile),
    extras: inputs.extraValuesFiles.map(read),
    proxyConfig: readProxyConfigSource(gkeChartPath(state))
  };
}

function composeFor(
  inputs: Inputs,
  state: Pick<RunState, 'actionRoot'>,
  outputs: TerraformOutputs,
  password?: string
): ComposedValues {
  try {
    return composeValues(readSources(inputs, state), inputs, outputs, password);
  } catch (error) {
    if (error instanceof ValuesError) throw new StepError('values-patch', error.message);
    throw error;
  }
}

function patchValuesStep(inputs: Inputs): TaskStep {
  const writesFile = writesValuesFile(inputs);
  const sources = [inputs.valuesFile, ...inputs.extraValuesFiles]
    .map((f) => path.relative(inputs.workspace, f) || f)
    .join(', then ');
  return {
    kind: 'task',
    id: 'values-patch',
    title: 'Patch the Helm values',
    mutates: false,
    describe: (state) => {
      const lines = [
        `Patch ${sources} with the Terraform outputs (service account, database, bucket, project${inputs.ingress ? ', ingress' : ''}).`,
        writesFile
          ? 'Write the result with mode 0600 under RUNNER_TEMP; the post step removes it; it is never printed.'
          : 'Compute the values digest only; no file is written.'
      ];
      try {
        const composed = composeFor(inputs, state, state.tfOutputs ?? placeholderOutputs(inputs));
        // The dry run never runs the step, so it shows the preview from here.
        if (state.dryRun) {
          state.valuesPreview = composed.preview;
          state.valuesDigest = composed.digest;
        }
        lines.push('Values to deploy (secrets as ***):', composed.preview.trimEnd());
      } catch (error) {
        lines.push(`The values cannot be prepared: ${(error as Error).message}`);
      }
      return lines.join('\n');
    },
    run: async (ctx) => {
      const { state } = ctx;
      let outputs = state.tfOutputs;
      if (!outputs) {
        if (inputs.command !== 'plan') {
          throw new StepError(
            'values-patch',
            'Terraform outputs are missing, so the Helm values cannot be patched. Run deploy first, or check that the Terraform state bucket and prefix match the earlier deploy.'
          );
        }
        ctx.log.info('No Terraform outputs yet (nothing applied): the preview shows placeholders.');
        outputs = placeholderOutputs(inputs);
      }
      if (inputs.ingress && !ingressDomain(inputs, outputs) && !writesFile) {
        // A plan or drift check that turns ingress on: the static IP exists only after apply.
        ctx.log.info('No static IP yet (ingress is not applied): the preview shows a placeholder.');
        outputs = { ...outputs, staticIpAddress: placeholderOutputs(inputs).staticIpAddress };
      }
      if (inputs.ingress && !ingressDomain(inputs, outputs)) {
        throw new StepError(
          'values-patch',
          'ingress is on but Terraform returned no static IP address (output static_ip_address). Check that the Terraform module creates the global address when ingress is true.'
        );
      }
      const password = state.databasePassword;
      if (writesFile && password === undefined) {
        throw new StepError(
          'values-patch',
          'The database password was not read from Secret Manager, so the values file cannot be written.'
        );
      }
      const composed = composeFor(inputs, state, outputs, password);
      // Credentials in the user's values files (an env entry named API_SECRET...) are masked in
      // every later log line, summary and comment, not only where the preview stands.
      for (const secret of composed.secrets) ctx.log.setSecret(secret);
      state.valuesDigest = composed.digest;
      state.valuesPreview = composed.preview;
      ctx.log.info(`Values digest ${composed.digest.slice(0, 12)} (chart ${inputs.chartVersion}).`);
      if (writesFile) {
        state.patchedValuesFile = writeValuesFile(ctx, composed.text);
        ctx.log.info(`Wrote the patched values to ${state.patchedValuesFile} (mode 0600).`);
      }
    }
  };
}

export function placeholderOutputs(inputs: Inputs): TerraformOutputs {
  return dryRunState(inputs).tfOutputs as TerraformOutputs;
}
