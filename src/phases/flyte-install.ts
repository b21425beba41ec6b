/**
 * Install or upgrade flyte-binary and the action's flyte-gke chart, each skipped when its chart
 * and values already match, then report the release and how to reach it.
 */
import type { Inputs, ToolVersion } from '../inputs.js';
import type { RunState } from '../engine/state.js';
import type { Step, TaskStep } from '../engine/types.js';
import { upgradeInstallArgs } from '../tools/helm/args.js';
import { chartFetchStep, chartFileFor } from './chart-fetch.js';
import { sameChartVersion } from '../tools/helm/release.js';
import { flyteAccess, ingressDomain } from '../values/access.js';
import {
  GKE_CHART_VERSION,
  gkeChartPath,
  gkeChartSetArgs,
  gkeChartValues,
  gkeReleaseFingerprint
} from '../values/gke-chart.js';
import { flyteNames } from '../values/names.js';
import { flyteReleaseReadSteps, readReleaseStep, readValuesStep } from './flyte-release.js';
import { oauthSecretSteps } from './flyte-oauth-secret.js';
import { proxyTlsStep } from './flyte-proxy-tls.js';
import { legacyIngressStep } from './legacy-ingress.js';
import { recordWriteStep } from './release-record.js';
import { uninstallStep } from './flyte-uninstall.js';
import { recoveryStep } from './helm-recovery.js';
import { taskNamespaceStep } from '../flyte2/task-namespace.js';
import { refuseVersionMove } from '../flyte2/version-move.js';
import { upgradeBackupSteps } from './database-backup.js';

/** Shown where a value is only known once the run gets there. */
const VALUES_FILE_PLACEHOLDER = '<patched-values-file>';

function pinnedVersion(version: ToolVersion): string | undefined {
  return version.kind === 'pinned' ? version.version : undefined;
}

export function installSteps(inputs: Inputs, state: RunState): Step[] {
  const names = flyteNames(inputs);
  const domain = inputs.ingress ? (ingressDomain(inputs, state.tfOutputs) ?? '<domain>') : '';
  const gkeValues = gkeChartValues(
    inputs,
    names,
    domain,
    state.tfOutputs?.staticIpName ?? inputs.staticIpName
  );
  // The installed Helm decides; before it is installed (a dry run) the pinned version does.
  const helmVersion = state.tools.helm?.version ?? pinnedVersion(inputs.tools.helm);
  const steps: Step[] = [
    // First: a release an interrupted run left pending refuses every upgrade, and its metadata
    // would describe the unfinished revision.
    recoveryStep('helm-recover', inputs.releaseName, inputs),
    recoveryStep('gke-recover', names.gkeRelease, inputs),
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
  // The proxy sidecar mounts it: it must exist before flyte-binary's pod starts.
  // Flyte 2 has no TLS proxy and no legacy Ingresses; its task namespace must exist first.
  const v1 = inputs.flyteVersion !== 2;
  if (inputs.ingress && v1) steps.push(proxyTlsStep(inputs));
  // A deployment of an earlier version: its own Ingresses hold the static IP the new one takes.
  if (inputs.ingress && v1) steps.push(legacyIngressStep(inputs, 'install'));
  if (!v1) steps.push(taskNamespaceStep(inputs, state));
  if (inputs.ingress) {
    // Before flyte-binary: its proxy sidecar mounts this chart's ConfigMap, and the Ingress finds
    // the certificate and BackendConfig in place.
    steps.push({
      kind: 'exec',
      id: 'gke-upgrade',
      title: `Install or upgrade ${names.gkeRelease} (Ingress, proxy config, certificate, BackendConfig, FrontendConfig)`,
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
      when: {
        test: (s) => s.gkeChanged !== false,
        describe: 'its chart or values changed',
        skipped: () => `${names.gkeRelease} already has this chart version and these values.`
      }
    });
  }
  steps.push(
    chartFetchStep(inputs),
    // Last before the upgrade: the new chart's pod migrates the database when it starts.
    ...upgradeBackupSteps(inputs, state),
    {
      kind: 'exec',
      id: 'helm-upgrade',
      title: `Install or upgrade ${inputs.releaseName} (flyte-binary ${inputs.chartVersion})`,
      mutates: true,
      tool: 'helm',
      args: upgradeInstallArgs({
        release: inputs.releaseName,
        // The archive fetched and checked by chart-fetch: no repository, so no index refresh.
        chart: chartFileFor(inputs, state.toolCacheDir),
        namespace: inputs.namespace,
        valuesFiles: [state.patchedValuesFile ?? VALUES_FILE_PLACEHOLDER],
        timeoutSeconds: inputs.timeoutSeconds,
        ...(helmVersion ? { helmVersion } : {})
      }),
      when: {
        test: (s) => s.helmChanged !== false,
        describe: 'the chart version or values changed',
        skipped: (s) =>
          `${inputs.releaseName} already runs chart ${inputs.chartVersion} with these values (digest ${(s.valuesDigest ?? '').slice(0, 12)} recorded on the release).`
      },
      explainFailure: (result) => explainHelmFailure(inputs, result.stderr || result.stdout)
    },
    {
      ...readReleaseStep('helm-read-deployed', inputs.releaseName, inputs.namespace, (s, found) => {
        if (found) s.deployedRelease = { ...found, valuesDigest: s.valuesDigest };
      }),
      title: 'Read the deployed chart and Flyte versions',
      when: {
        test: (s) => s.helmChanged !== false,
        describe: 'the release was upgraded',
        skipped: () => 'the release was not upgraded, so the versions read before stand.'
      }
    },
    recordWriteStep(inputs),
    reportStep(inputs)
  );
  if (!inputs.ingress) {
    // After flyte-binary, whose upgrade just removed the Ingress that used these objects.
    steps.push({
      ...uninstallStep('gke-uninstall', names.gkeRelease, inputs),
      title: `Uninstall ${names.gkeRelease}: ingress is off now`,
      when: {
        test: (s) => s.gkeRelease !== undefined,
        describe: 'an earlier deploy with ingress left it installed',
        skipped: () => `${names.gkeRelease} is not installed, so there is nothing to remove.`
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
      refuseVersionMove('helm-compare', inputs, deployed?.chartVersion);
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
      state.clientConfig = access.clientConfig;
      state.clientSteps = access.clientSteps;
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
    return `Helm release ${inputs.releaseName} is locked by an operation that started after this run checked it (helm-recover): another run is changing it. Wait for it, or check with \`helm history ${inputs.releaseName} -n ${inputs.namespace}\` and \`helm rollback ${inputs.releaseName} REVISION -n ${inputs.namespace}\` to the last deployed revision, then run the action again.`;
  }
  if (/timed out|context deadline exceeded/i.test(output)) {
    return `Flyte did not become ready within the timeout (${inputs.timeoutSeconds}s); Helm rolled the release back. A pod stuck in Init (wait-for-db) means Cloud SQL is unreachable; an ImagePullBackOff means the image tag does not exist. Check with \`kubectl get pods -n ${inputs.namespace}\` and \`kubectl describe pod -n ${inputs.namespace}\`.`;
  }
  return undefined;
}
