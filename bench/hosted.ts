/**
 * A pull request plan on a GitHub-hosted runner, through the bundled action on stand-in tools:
 * the runner starts with an empty tool cache, and every download comes from loopback mirrors
 * holding archives as large as the real ones, paced to a stated bandwidth. Stand-in tools take
 * the real tools' time, scaled like bench/deploy.ts (one simulated minute is `scaleMsPerMinute`
 * ms; downloads are scaled the same way by pacing the mirror at bandwidth ÷ scale).
 *
 * Two jobs of the same plan against an existing deployment (the cluster and the Flyte release),
 * each on a fresh hosted runner (empty tool cache) that reaches a loopback Actions cache service
 * (test/support/cache-server.ts) through the runner's variables:
 * - cold: the Actions cache is empty; terraform and helm are downloaded before Terraform can
 *   start, gcloud in the background; the post step saves the archives to the cache;
 * - cached: the next job restores them, and the locked providers' zips, from the Actions cache
 *   (paced at CACHE_BANDWIDTH) through the action's own restore step, and downloads nothing from
 *   the publishers or the Terraform registry.
 * Both run the plan as the reusable plan workflow does (install-gcloud false), at real time by
 * default (one simulated minute is a minute), since the action's own work is real time.
 * Figures: plan latency (the action's main step, start to end) ÷ (terraform init + plan, as the
 * stand-in terraform took them in the same job) and bytes downloaded (mirrors and cache), for both.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { jobInputs, TOOL_VERSIONS, withStateBucket } from '../test/support/e2e-jobs.js';
import { Harness, standinWrapper, type ToolCall } from '../test/support/harness.js';
import { buildArchive, Mirror, publish, type StandInTool } from '../test/support/mirror.js';
import { CacheServer } from '../test/support/cache-server.js';
import {
  copyModuleForStandins,
  publishProviders,
  type PackageSizes
} from '../test/support/provider-registry.js';
import { slowStandinRules } from './real-seconds.js';
import { publishUpstream } from '../test/support/upstream.js';
import { currentPlatform } from '../src/tools/sources.js';
import { gcloudRecipe } from '../src/tools/gcloud/install.js';
import { helmRecipe } from '../src/tools/helm/install.js';
import { kubectlRecipe } from '../src/tools/kubectl/install.js';
import { terraformRecipe } from '../src/tools/terraform/install.js';

const MB = 1024 * 1024;
/**
 * Sizes of the real linux x86-64 downloads. Estimates, not read from a published listing (none
 * was reachable from this machine); each is stated with where it comes from, and the bench
 * reports the bytes it actually served, so a corrected size changes one line.
 * - terraform_1.13.4_linux_amd64.zip: about 27 MB (terraform 1.x zips, releases.hashicorp.com).
 * - helm-v3.19.0-linux-amd64.tar.gz: about 17 MB (get.helm.sh, helm 3.1x tarballs).
 * - google-cloud-cli-529.0.0-linux-x86_64.tar.gz: about 180 MB (the action installs no
 *   components: kubectl is its own download, and the exec credential is the action's).
 * The google provider 6.50.0 zip (about 35 MB) is fetched by the action beside the tools (the
 * registry's download endpoint, then the zip), checked against the lock file's zh: hashes and
 * cached; `terraform init` then installs it from the run's mirror. The modelled 15 s of init
 * still include a download, so the cached run's gain is understated by about 1.4 s.
 */
export const REAL_SIZES: Readonly<Record<StandInTool, number>> = {
  terraform: 27 * MB,
  helm: 17 * MB,
  gcloud: 180 * MB,
  // dl.k8s.io/release/v1.36.1/bin/linux/amd64/kubectl: about 57 MB (a single binary).
  kubectl: 57 * MB
};
/**
 * The locked providers' zips (linux_amd64) as large as the real ones: google 6.50.0 about 35 MB
 * (releases.hashicorp.com/terraform-provider-google, 6.x zips); random 3.7.2 about 6 MB (its
 * releases' zips).
 */
export const PROVIDER_SIZES: PackageSizes = {
  'registry.terraform.io/hashicorp/google': 35 * MB,
  'registry.terraform.io/hashicorp/random': 6 * MB
};
/** Bandwidth of a hosted runner to a CDN, per connection (the same as bench/tools-install.ts). */
export const BANDWIDTH = 25 * MB;
/**
 * Bandwidth of a hosted runner to the Actions cache (Azure Blob Storage in the runner's region),
 * per download: a model, not a published figure; stated so that a measured one changes one line.
 */
export const CACHE_BANDWIDTH = 50 * MB;

export interface HostedRun {
  readonly name: string;
  readonly wallMs: number;
  readonly initPlanMs: number;
  readonly ratio: number;
  readonly bytesDownloaded: number;
  /** Bytes restored from the Actions cache. */
  readonly bytesFromCache: number;
  /** Steps that waited for the background gcloud install. */
  readonly waitedForGcloud: string[];
  readonly exitCode: number | null;
}

export async function benchHosted(scaleMsPerMinute = 60000): Promise<{
  scaleMsPerMinute: number;
  bandwidthMBps: number;
  cacheBandwidthMBps: number;
  sizesMB: Record<string, number>;
  runs: HostedRun[];
}> {
  const scale = scaleMsPerMinute / 60_000;
  const platform = currentPlatform();
  const mirror = await Mirror.start();
  const recipes = {
    terraform: terraformRecipe,
    helm: helmRecipe,
    gcloud: gcloudRecipe,
    kubectl: kubectlRecipe
  };
  // The harness publishes its own stand-in tools upstream first; the bench's real-size archives,
  // published after them, are the ones pinned (test-pins.ts keeps the last digest per name).
  const harness = await Harness.create({ oidc: true, event: 'pull_request' });
  for (const tool of ['terraform', 'helm', 'gcloud', 'kubectl'] as const) {
    const archive = buildArchive(tool, TOOL_VERSIONS[tool], platform, REAL_SIZES[tool], {
      [tool]: standinWrapper(tool)
    });
    publish(mirror, recipes[tool], archive, platform, { bytesPerSecond: BANDWIDTH / scale });
  }
  publishUpstream(mirror);
  // The action and the stand-in terraform ask the harness's upstream for providers.
  publishProviders(harness.upstream, { bytesPerSecond: BANDWIDTH / scale }, PROVIDER_SIZES);
  copyModuleForStandins(harness.moduleDir, PROVIDER_SIZES);
  const cache = await CacheServer.start();
  cache.downloadBytesPerSecond = CACHE_BANDWIDTH / scale;
  const hosted = { env: { ...cache.env(), RUNNER_ENVIRONMENT: 'github-hosted' } };
  const inputs = {
    ...jobInputs(mirror),
    'project-id': 'acme-flyte-hosted',
    'cluster-name': 'flyte-hosted',
    'comment-on-pr': 'false',
    // As the reusable plan workflow runs it: no later step of its job needs gcloud.
    'install-gcloud': 'false'
  };
  const runs: HostedRun[] = [];
  try {
    withStateBucket(harness, 'acme-flyte-hosted');
    // The deployment the pull request plans against, made without delays.
    const setup = await harness.run({ ...inputs, command: 'deploy' });
    await harness.runPost();
    if (setup.exitCode !== 0) throw new Error(`setup deploy failed:\n${setup.errors.join('\n')}`);
    harness.setRules(slowStandinRules(scaleMsPerMinute));
    const bytes = () =>
      [...mirror.requests, ...harness.upstream.requests].reduce((t, r) => t + r.bytes, 0);
    const span = (c: ToolCall) => (c.endedAt ?? c.startedAt) - c.startedAt;
    const plan = async (name: string) => {
      copyModuleForStandins(harness.moduleDir, PROVIDER_SIZES);
      // A fresh hosted runner: its tool cache starts empty.
      rmSync(harness.toolCache, { recursive: true, force: true });
      const sent = bytes();
      const fromCache = cache.bytesServed;
      const started = Date.now();
      const result = await harness.run({ ...inputs, command: 'plan' }, hosted);
      const wallMs = Date.now() - started;
      const post = await harness.runPost(inputs, hosted);
      const initPlanMs = result.calls
        .filter((c) => c.tool === 'terraform' && (c.args[0] === 'init' || c.args[0] === 'plan'))
        .reduce((t, c) => t + span(c), 0);
      runs.push({
        name,
        wallMs: Math.round(wallMs),
        initPlanMs,
        ratio: wallMs / initPlanMs,
        bytesDownloaded: bytes() - sent + (cache.bytesServed - fromCache),
        bytesFromCache: cache.bytesServed - fromCache,
        waitedForGcloud: result.events
          .filter((e) => e.kind === 'background-wait')
          .map((e) => ('step' in e ? e.step : '')),
        exitCode: result.exitCode
      });
      if (result.exitCode !== 0) throw new Error(`${name} failed:\n${result.errors.join('\n')}`);
      if (post.warnings.length > 0)
        throw new Error(`${name}: post step: ${post.warnings.join('\n')}`);
    };
    await plan('cold hosted plan');
    await plan('cached hosted plan');
  } finally {
    await Promise.all([harness.close(), mirror.close(), cache.close()]);
  }
  return {
    scaleMsPerMinute,
    bandwidthMBps: BANDWIDTH / MB,
    cacheBandwidthMBps: CACHE_BANDWIDTH / MB,
    sizesMB: Object.fromEntries(
      [...Object.entries(REAL_SIZES), ...Object.entries(PROVIDER_SIZES)].map(([k, v]) => [
        k,
        v / MB
      ])
    ),
    runs
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  console.log(JSON.stringify(await benchHosted(), null, 2));
}
