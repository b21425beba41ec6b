/**
 * Flyte on the cluster: patch the Helm values, install or upgrade flyte-binary and the action's
 * flyte-gke chart (skipped when nothing changed), uninstall both, and check them for drift.
 * Ingress and IAP phases live in flyte-ingress.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { StepError } from '../errors.js';
import type { Inputs } from '../inputs.js';
import { dryRunState } from '../engine/placeholders.js';
import type { RunState, TerraformOutputs } from '../engine/state.js';
import type { ExecStep, Phase, Step, TaskStep } from '../engine/types.js';
import {
  FLYTE_CHART,
  getMetadataArgs,
  getValuesArgs,
  isReleaseNotFound,
  repoAddArgs,
  uninstallArgs,
  upgradeInstallArgs
} from '../tools/helm/args.js';
import { parseJson, parseReleaseMetadata, sameChartVersion } from '../tools/helm/release.js';
import {
  applyStdinArgs,
  deleteSecretArgs,
  getSecretAnnotationArgs,
  OAUTH_DIGEST_ANNOTATION,
  oauthClientDigest,
  oauthSecretManifest
} from '../tools/kubectl/args.js';
import { flyteAccess, ingressDomain } from '../values/access.js';
import { composeValues, type ComposedValues } from '../values/compose.js';
import { recordedDigest } from '../values/digest.js';
import {
  GKE_CHART_VERSION,
  gkeChartPath,
  gkeChartSetArgs,
  gkeChartValues,
  gkeReleaseFingerprint
} from '../values/gke-chart.js';
import { listFlyteNegsArgs, parseNegNames } from '../tools/gcloud/neg.js';
import { pollUntil, runTool } from './flyte-support.js';
import { flyteNames } from '../values/names.js';
import { ValuesError } from '../values/patch.js';
import { writeValuesFile } from '../values/write.js';

export { iapPhase, ingressPhase } from './flyte-ingress.js';

/** `preview` only reads the release, so a plan can show the chart and values change. */
export type HelmMode = 'install' | 'uninstall' | 'drift' | 'preview';

/** Shown where a value is only known once the run gets there. */
const VALUES_FILE_PLACEHOLDER = '<patched-values-file>';

export function valuesPhase(inputs: Inputs): Phase {
  return { name: 'Helm values', steps: () => [patchValuesStep(inputs)] };
}

export function helmPhase(inputs: Inputs, mode: HelmMode): Phase {
  switch (mode) {
    case 'install':
      return { name: 'Install Flyte with Helm', steps: (state) => installSteps(inputs, state) };
    case 'uninstall':
      return { name: 'Uninstall Flyte', steps: () => uninstallSteps(inputs) };
    case 'drift':
      return { name: 'Flyte drift check', steps: () => driftSteps(inputs) };
    case 'preview':
      return { name: 'Read the Flyte release', steps: () => flyteReleaseReadSteps(inputs) };
  }
}

// ---------------------------------------------------------------------------------------------
// Values

function readSources(inputs: Inputs) {
  const read = (file: string) => ({
    name: path.relative(inputs.workspace, file) || file,
    text: readFileSync(file, 'utf8')
  });
  return { template: read(inputs.valuesFile), extras: inputs.extraValuesFiles.map(read) };
}

function composeFor(inputs: Inputs, outputs: TerraformOutputs): ComposedValues {
  try {
    return composeValues(readSources(inputs), inputs, outputs);
  } catch (error) {
    if (error instanceof ValuesError) throw new StepError('values-patch', error.message);
    throw error;
  }
}

function patchValuesStep(inputs: Inputs): TaskStep {
  const writesFile = inputs.command === 'deploy' || inputs.command === 'upgrade';
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
        const composed = composeFor(inputs, state.tfOutputs ?? placeholderOutputs(inputs));
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
      ctx.log.setSecret(outputs.cloudsqlPassword);
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
      const composed = composeFor(inputs, outputs);
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

function placeholderOutputs(inputs: Inputs): TerraformOutputs {
  return dryRunState(inputs).tfOutputs as TerraformOutputs;
}

// ---------------------------------------------------------------------------------------------
// Install

/** Reads a release's chart version into state; a missing release is not an error. */
function readReleaseStep(
  id: string,
  release: string,
  namespace: string,
  store: (state: RunState, found: { chartVersion: string; appVersion: string } | undefined) => void
): ExecStep {
  return {
    kind: 'exec',
    id,
    title: `Read Helm release ${release}`,
    mutates: false,
    tool: 'helm',
    args: getMetadataArgs(release, namespace),
    okExitCodes: [0, 1],
    quiet: true,
    onResult: (result, state) => store(state, parseReleaseMetadata(id, result))
  };
}

/** `helm get values` prints the password: the step is quiet and keeps only what it needs. */
function readValuesStep(
  id: string,
  release: string,
  namespace: string,
  when: (state: RunState) => boolean,
  store: (state: RunState, values: unknown) => void
): ExecStep {
  return {
    kind: 'exec',
    id,
    title: `Read the deployed values of ${release}`,
    mutates: false,
    tool: 'helm',
    args: getValuesArgs(release, namespace),
    quiet: true,
    when: { test: when, describe: `release ${release} exists` },
    onResult: (result, state) => store(state, parseJson(id, result.stdout))
  };
}

const isValuesMap = (values: unknown): values is Record<string, unknown> =>
  typeof values === 'object' && values !== null && !Array.isArray(values);

function flyteReleaseReadSteps(inputs: Inputs): ExecStep[] {
  const release = inputs.releaseName;
  return [
    readReleaseStep('helm-read-release', release, inputs.namespace, (state, found) => {
      state.deployedRelease = found;
      state.previousRelease = found;
    }),
    readValuesStep(
      'helm-read-values',
      release,
      inputs.namespace,
      (state) => state.deployedRelease !== undefined,
      (state, values) => {
        if (!state.deployedRelease) return;
        const digest = recordedDigest(values);
        const found = {
          chartVersion: state.deployedRelease.chartVersion,
          appVersion: state.deployedRelease.appVersion,
          ...(digest ? { valuesDigest: digest } : {})
        };
        state.deployedRelease = found;
        // Kept apart from deployedRelease, which an upgrade replaces: the summary diffs against it.
        state.previousRelease = { ...found, ...(isValuesMap(values) ? { values } : {}) };
      }
    )
  ];
}

function installSteps(inputs: Inputs, state: RunState): Step[] {
  const names = flyteNames(inputs);
  const domain = inputs.ingress ? (ingressDomain(inputs, state.tfOutputs) ?? '<domain>') : '';
  const gkeValues = gkeChartValues(inputs, names, domain);
  const helmVersion = state.tools.helm?.version;
  const steps: Step[] = [
    {
      kind: 'exec',
      id: 'helm-repo-add',
      title: 'Add the Flyte chart repository',
      mutates: false,
      tool: 'helm',
      args: repoAddArgs()
    },
    ...flyteReleaseReadSteps(inputs)
  ];
  // Read even with ingress off: a release left from an earlier ingress deploy is removed below.
  steps.push(
    readReleaseStep('gke-read-release', names.gkeRelease, inputs.namespace, (s, found) => {
      s.gkeRelease = found;
    })
  );
  if (inputs.ingress) {
    steps.push(
      readValuesStep(
        'gke-read-values',
        names.gkeRelease,
        inputs.namespace,
        (s) => s.gkeRelease !== undefined,
        (s, values) => {
          if (!s.gkeRelease) return;
          s.gkeRelease = {
            ...s.gkeRelease,
            valuesDigest: gkeReleaseFingerprint(s.gkeRelease.chartVersion, values)
          };
        }
      )
    );
  }
  steps.push(compareStep(inputs, gkeValues));
  if (inputs.iap) steps.push(...oauthSecretSteps(inputs, names.oauthSecret));
  if (inputs.ingress) {
    // Before flyte-binary, so the certificate and BackendConfig exist when its Ingress appears.
    steps.push({
      kind: 'exec',
      id: 'gke-upgrade',
      title: `Install or upgrade ${names.gkeRelease} (certificate, BackendConfig, FrontendConfig)`,
      mutates: true,
      tool: 'helm',
      args: upgradeInstallArgs({
        release: names.gkeRelease,
        chart: gkeChartPath(state),
        namespace: inputs.namespace,
        ...gkeChartSetArgs(gkeValues),
        timeoutSeconds: inputs.timeoutSeconds,
        ...(helmVersion ? { helmVersion } : {})
      }),
      when: { test: (s) => s.gkeChanged !== false, describe: 'its chart or values changed' }
    });
  }
  steps.push(
    {
      kind: 'exec',
      id: 'helm-upgrade',
      title: `Install or upgrade ${inputs.releaseName} (flyte-binary ${inputs.chartVersion})`,
      mutates: true,
      tool: 'helm',
      args: upgradeInstallArgs({
        release: inputs.releaseName,
        chart: FLYTE_CHART,
        version: inputs.chartVersion,
        namespace: inputs.namespace,
        valuesFiles: [state.patchedValuesFile ?? VALUES_FILE_PLACEHOLDER],
        timeoutSeconds: inputs.timeoutSeconds,
        ...(helmVersion ? { helmVersion } : {})
      }),
      when: {
        test: (s) => s.helmChanged !== false,
        describe: 'the chart version or values changed'
      },
      explainFailure: (result) => explainHelmFailure(inputs, result.stderr || result.stdout)
    },
    {
      ...readReleaseStep('helm-read-deployed', inputs.releaseName, inputs.namespace, (s, found) => {
        if (found) s.deployedRelease = { ...found, valuesDigest: s.valuesDigest };
      }),
      title: 'Read the deployed chart and Flyte versions',
      when: { test: (s) => s.helmChanged !== false, describe: 'the release was upgraded' }
    },
    reportStep(inputs)
  );
  if (!inputs.ingress) {
    // After flyte-binary, whose upgrade just removed the Ingress that used these objects.
    steps.push({
      ...uninstallStep('gke-uninstall', names.gkeRelease, inputs),
      title: `Uninstall ${names.gkeRelease}: ingress is off now`,
      when: {
        test: (s) => s.gkeRelease !== undefined,
        describe: 'an earlier deploy with ingress left it installed'
      }
    });
  }
  return steps;
}

/** Decides whether each release needs an upgrade; says why either way. */
function compareStep(inputs: Inputs, gkeValues: ReturnType<typeof gkeChartValues>): TaskStep {
  return {
    kind: 'task',
    id: 'helm-compare',
    title: 'Compare the deployed releases with the desired ones',
    mutates: false,
    describe: () =>
      `Skip the upgrade of ${inputs.releaseName} when it already runs chart ${inputs.chartVersion} with the same values digest${inputs.ingress ? `; the same for ${flyteNames(inputs).gkeRelease}` : ''}.`,
    run: async (ctx) => {
      const { state } = ctx;
      const deployed = state.deployedRelease;
      const reason = !deployed
        ? 'not installed yet'
        : !sameChartVersion(deployed.chartVersion, inputs.chartVersion)
          ? `chart ${deployed.chartVersion} is deployed, ${inputs.chartVersion} is wanted`
          : deployed.valuesDigest !== state.valuesDigest
            ? 'the values changed'
            : undefined;
      state.helmChanged = reason !== undefined;
      ctx.log.info(
        reason
          ? `${inputs.releaseName}: upgrade needed (${reason}).`
          : `${inputs.releaseName}: chart ${inputs.chartVersion} with these values is already deployed; skipping helm upgrade.`
      );
      if (inputs.ingress) {
        const wanted = gkeReleaseFingerprint(GKE_CHART_VERSION, gkeValues);
        state.gkeChanged = state.gkeRelease?.valuesDigest !== wanted;
        ctx.log.info(
          state.gkeChanged
            ? `${flyteNames(inputs).gkeRelease}: install or upgrade needed.`
            : `${flyteNames(inputs).gkeRelease}: unchanged; skipping helm upgrade.`
        );
      }
    }
  };
}

/**
 * The OAuth client goes to the cluster on standard input: never argv, never a log line. The
 * Secret carries a digest of the client, read back first, so an unchanged client is not applied.
 */
function oauthSecretSteps(inputs: Inputs, secretName: string): ExecStep[] {
  const client = {
    clientId: inputs.iapOauthClientId ?? '',
    clientSecret: inputs.iapOauthClientSecret ?? ''
  };
  const wanted = oauthClientDigest(client.clientId, client.clientSecret);
  return [
    {
      kind: 'exec',
      id: 'iap-oauth-secret-read',
      title: `Read the OAuth client digest of Secret ${secretName}`,
      mutates: false,
      tool: 'kubectl',
      args: getSecretAnnotationArgs(secretName, inputs.namespace, OAUTH_DIGEST_ANNOTATION),
      quiet: true,
      onResult: (result, state) => {
        state.oauthSecretDigest = result.stdout.trim();
      }
    },
    {
      kind: 'exec',
      id: 'iap-oauth-secret',
      title: `Store the IAP OAuth client in Secret ${secretName}`,
      mutates: true,
      tool: 'kubectl',
      args: applyStdinArgs(),
      stdin: oauthSecretManifest({ name: secretName, namespace: inputs.namespace, ...client }),
      quiet: true,
      when: {
        test: (state) => state.oauthSecretDigest !== wanted,
        describe: 'the Secret is missing or holds another OAuth client'
      }
    }
  ];
}

function reportStep(inputs: Inputs): TaskStep {
  return {
    kind: 'task',
    id: 'flyte-report',
    title: 'Report the Flyte release and how to reach it',
    mutates: false,
    describe: () => 'Record the deployed versions, the console URL and the client commands.',
    run: async (ctx) => {
      const { state } = ctx;
      const access = flyteAccess(inputs, state.tfOutputs);
      state.consoleUrl = access.consoleUrl;
      if (access.domain) state.domain = access.domain;
      if (access.ingressIp) state.ingressIp = access.ingressIp;
      const deployed = state.deployedRelease;
      const versions = deployed
        ? `flyte-binary chart ${deployed.chartVersion}, Flyte ${deployed.appVersion || 'unknown'}`
        : `flyte-binary chart ${inputs.chartVersion}`;
      const line = state.helmChanged
        ? `Deployed ${inputs.releaseName} in namespace ${inputs.namespace}: ${versions}.`
        : `${inputs.releaseName} in namespace ${inputs.namespace} is unchanged (${versions}); helm upgrade was skipped.`;
      ctx.log.info(line);
      state.notes.push(line, ...access.notes);
    }
  };
}

function explainHelmFailure(inputs: Inputs, output: string): string | undefined {
  if (/another operation \(install\/upgrade\/rollback\) is in progress/i.test(output)) {
    return `Helm release ${inputs.releaseName} is locked by an earlier operation that did not finish. Run \`helm history ${inputs.releaseName} -n ${inputs.namespace}\` and \`helm rollback ${inputs.releaseName} -n ${inputs.namespace}\` to the last deployed revision, then run the action again.`;
  }
  if (/timed out|context deadline exceeded/i.test(output)) {
    return `Flyte did not become ready within the timeout (${inputs.timeoutSeconds}s); Helm rolled the release back. A pod stuck in Init (wait-for-db) means Cloud SQL is unreachable; an ImagePullBackOff means the image tag does not exist. Check with \`kubectl get pods -n ${inputs.namespace}\` and \`kubectl describe pod -n ${inputs.namespace}\`.`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Uninstall

function uninstallStep(id: string, release: string, inputs: Inputs): ExecStep {
  return {
    kind: 'exec',
    id,
    title: `Uninstall Helm release ${release}`,
    mutates: true,
    tool: 'helm',
    args: uninstallArgs(release, inputs.namespace, inputs.timeoutSeconds),
    okExitCodes: [0, 1],
    onResult: (result, state) => {
      if (result.exitCode === 0) {
        state.notes.push(`Uninstalled Helm release ${release}.`);
        return;
      }
      if (!isReleaseNotFound(`${result.stderr}\n${result.stdout}`)) {
        throw new StepError(id, `helm uninstall ${release} failed: ${result.stderr.trim()}`, 1);
      }
      state.notes.push(`Helm release ${release} was not installed; nothing to remove.`);
    }
  };
}

/** Time GKE usually needs to garbage-collect NEGs after their Services are gone. */
const NEG_WAIT_SECONDS = 600;
const NEG_POLL_MS = 15_000;

/**
 * Waits, within a bound, until GKE has deleted the Services' network endpoint groups: Terraform
 * destroys the cluster and then the subnet, and a subnet that still holds a NEG cannot go.
 */
function negWaitStep(inputs: Inputs): TaskStep {
  const args = listFlyteNegsArgs(inputs.projectId, inputs.namespace, inputs.releaseName);
  const bound = Math.min(inputs.timeoutSeconds, NEG_WAIT_SECONDS);
  return {
    kind: 'task',
    id: 'neg-wait',
    title: 'Wait for GKE to delete the network endpoint groups',
    mutates: false,
    describe: () =>
      `Poll \`gcloud ${args.join(' ')}\` every ${NEG_POLL_MS / 1000}s for up to ${bound}s until it lists none; warn and go on at the bound.`,
    run: async (ctx) => {
      let left: string[] = [];
      const gone = await pollUntil(ctx, bound, NEG_POLL_MS, async () => {
        const result = await runTool(ctx, 'neg-wait', 'gcloud', args);
        left = parseNegNames(result.stdout);
        return left.length === 0 ? true : undefined;
      });
      if (!gone) {
        ctx.log.warning(
          `GKE has not yet deleted ${left.join(', ')} after ${bound}s; if Terraform cannot delete the subnet, delete them with \`gcloud compute network-endpoint-groups delete\` and run destroy again.`
        );
      }
    }
  };
}

function uninstallSteps(inputs: Inputs): Step[] {
  const names = flyteNames(inputs);
  return [
    // flyte-binary first: removing its Ingress releases the load balancer.
    uninstallStep('helm-uninstall', inputs.releaseName, inputs),
    uninstallStep('gke-uninstall', names.gkeRelease, inputs),
    {
      kind: 'exec',
      id: 'iap-oauth-secret-delete',
      title: `Delete Secret ${names.oauthSecret} (IAP OAuth client), if present`,
      mutates: true,
      tool: 'kubectl',
      args: deleteSecretArgs(names.oauthSecret, inputs.namespace)
    },
    negWaitStep(inputs),
    {
      kind: 'task',
      id: 'flyte-uninstall-notes',
      title: 'List what to remove by hand',
      mutates: false,
      describe: () => 'Note the OAuth client, which only its owner can delete.',
      run: async (ctx) => {
        ctx.state.notes.push(
          'Remove by hand: the OAuth 2.0 client used for IAP, if you created one (Google Cloud console, APIs & Services, Credentials). The Terraform state bucket is kept.'
        );
      }
    }
  ];
}

// ---------------------------------------------------------------------------------------------
// Drift

function driftSteps(inputs: Inputs): Step[] {
  return [
    ...flyteReleaseReadSteps(inputs),
    {
      kind: 'task',
      id: 'helm-drift',
      title: 'Compare the Flyte release with the desired chart and values',
      mutates: false,
      describe: () =>
        `Report drift when ${inputs.releaseName} is missing, runs another chart version than ${inputs.chartVersion}, or holds other values.`,
      run: async (ctx) => {
        const { state } = ctx;
        const found = flyteDrift(inputs, state);
        state.driftDetected = (state.driftDetected ?? false) || found.length > 0;
        state.driftDetails.push(...found);
        ctx.log.info(
          found.length > 0
            ? found.join('\n')
            : `${inputs.releaseName}: no drift in chart or values.`
        );
      }
    }
  ];
}

/** Human lines describing how the release differs from what the action would deploy. */
export function flyteDrift(
  inputs: Pick<Inputs, 'releaseName' | 'namespace' | 'chartVersion'>,
  state: Pick<RunState, 'deployedRelease' | 'valuesDigest'>
): string[] {
  const deployed = state.deployedRelease;
  const release = `Helm release ${inputs.releaseName} (namespace ${inputs.namespace})`;
  if (!deployed) return [`${release} is not installed.`];
  const lines: string[] = [];
  if (!sameChartVersion(deployed.chartVersion, inputs.chartVersion)) {
    lines.push(
      `${release} runs chart ${deployed.chartVersion}; ${inputs.chartVersion} is configured.`
    );
  }
  if (!deployed.valuesDigest) {
    lines.push(`${release} was not deployed by this action (no values digest recorded).`);
  } else if (deployed.valuesDigest !== state.valuesDigest) {
    lines.push(
      `${release} holds other values than the action would deploy (digest ${deployed.valuesDigest.slice(0, 12)}, expected ${(state.valuesDigest ?? '').slice(0, 12)}).`
    );
  }
  return lines;
}
