/**
 * What the end-to-end suites share: a loopback tool mirror whose pinned terraform, helm and gcloud
 * archives and kubectl binary are the stand-ins, the inputs of a job using it, one job (the main step and then its
 * post step, as the runner runs them), and a loopback GitHub server holding the harness's
 * repository and its pull request.
 *
 * Pinned versions, as users run the action: after the first install the tool cache answers, so
 * no tool is probed (`version`) at all. With `system`, the probes run at once.
 */
import { GitHubServer } from './github-server.js';
import { publishUpstream } from './upstream.js';
import { standinWrapper, type Harness, type RunOptions, type StepResult } from './harness.js';
import { buildArchive, Mirror, publish, type PublishOptions, type StandInTool } from './mirror.js';
import { recordToolPin } from './test-pins.js';
import { pinKey, type Recipe } from '../../src/tools/download.js';
import { currentPlatform } from '../../src/tools/sources.js';
import { gcloudRecipe } from '../../src/tools/gcloud/install.js';
import { helmRecipe } from '../../src/tools/helm/install.js';
import { kubectlRecipe } from '../../src/tools/kubectl/install.js';
import { terraformRecipe } from '../../src/tools/terraform/install.js';

export const PR_NUMBER = 42;
export const WIF =
  'projects/123456789012/locations/global/workloadIdentityPools/github/providers/acme-repo';

/** Versions the mirror serves, each pinned for the stand-in archive (support/test-pins.ts). */
export const TOOL_VERSIONS: Readonly<Record<StandInTool, string>> = {
  terraform: '1.13.4',
  helm: '3.19.0',
  gcloud: '529.0.0',
  kubectl: '1.36.1'
};

const wrapper = standinWrapper;

/**
 * A mirror serving the pinned archives, each holding the stand-in wrappers, and the stand-in
 * kubectl as its own binary, so the kubectl a job runs is the one it installed. `options` apply to
 * every archive.
 */
export async function startToolMirror(
  options: PublishOptions & { readonly forged?: boolean } = {}
): Promise<Mirror> {
  const mirror = await Mirror.start();
  const platform = currentPlatform();
  const archives = standInArchives();
  if (options.forged) {
    // A mirror that swapped every archive and wrote checksum files to match: the genuine
    // archives stay pinned, what it serves is not.
    const planted = '#!/bin/sh\necho planted\n';
    for (const tool of STANDIN_ARCHIVES) {
      recordToolPin(pinKey(RECIPES[tool], TOOL_VERSIONS[tool], platform), archives[tool].sha256);
      const recipe = RECIPES[tool];
      const swapped = buildArchive(tool, TOOL_VERSIONS[tool], platform, 0, { [tool]: planted });
      publish(mirror, recipe, swapped, platform, { ...options, pin: false });
    }
    publishUpstream(mirror);
    return mirror;
  }
  publish(mirror, terraformRecipe, archives.terraform, platform, options);
  publish(mirror, helmRecipe, archives.helm, platform, options);
  publish(mirror, gcloudRecipe, archives.gcloud, platform, options);
  publish(mirror, kubectlRecipe, archives.kubectl, platform, options);
  publishUpstream(mirror);
  return mirror;
}

const STANDIN_ARCHIVES = ['terraform', 'helm', 'gcloud', 'kubectl'] as const;
const RECIPES: Readonly<Record<StandInTool, Recipe>> = {
  terraform: terraformRecipe,
  helm: helmRecipe,
  gcloud: gcloudRecipe,
  kubectl: kubectlRecipe
};

function standInArchives() {
  const platform = currentPlatform();
  return {
    terraform: buildArchive('terraform', TOOL_VERSIONS.terraform, platform, 0, {
      terraform: wrapper('terraform')
    }),
    helm: buildArchive('helm', TOOL_VERSIONS.helm, platform, 0, { helm: wrapper('helm') }),
    gcloud: buildArchive('gcloud', TOOL_VERSIONS.gcloud, platform, 0, {
      gcloud: wrapper('gcloud')
    }),
    kubectl: buildArchive('kubectl', TOOL_VERSIONS.kubectl, platform, 0, {
      kubectl: wrapper('kubectl')
    })
  };
}

/** The inputs of a job on the stand-ins, installed from `mirror`. */
export function jobInputs(mirror: Mirror): Record<string, string> {
  return {
    'project-id': 'acme-flyte-e2e',
    'cluster-name': 'flyte-e2e',
    'workload-identity-provider': WIF,
    'gcloud-version': TOOL_VERSIONS.gcloud,
    'terraform-version': TOOL_VERSIONS.terraform,
    'helm-version': TOOL_VERSIONS.helm,
    'kubectl-version': TOOL_VERSIONS.kubectl,
    'tool-mirror': mirror.url
  };
}

/** The harness's repository (acme/flyte-platform) with its open pull request #42. */
export async function startGitHub(): Promise<GitHubServer> {
  const github = await new GitHubServer('acme', 'flyte-platform').start();
  github.addIssue({ number: PR_NUMBER, title: 'Scale the GPU pool', isPullRequest: true });
  return github;
}

export interface Job {
  readonly main: StepResult;
  readonly post: StepResult;
}

/** One job: the main step, then the post step. */
export async function runJob(
  harness: Harness,
  inputs: Record<string, string>,
  options: RunOptions = {}
): Promise<Job> {
  const main = await harness.run(inputs, options);
  const post = await harness.runPost();
  return { main, post };
}

/** The request bodies the GitHub server received, as text, for leak checks. */
export function requestBodies(github: GitHubServer): string {
  return github.requests.map((r) => JSON.stringify(r.body ?? '')).join('\n');
}

/**
 * The state bucket exists (created once by the deployer, README quick start): a plan, run by the
 * read-only planner, needs it and never creates it.
 */
export function withStateBucket(harness: Harness, project = 'acme-flyte-e2e'): void {
  harness.setWorld((w) => {
    w.gcloud = {
      ...(w.gcloud ?? {}),
      buckets: {
        ...(w.gcloud?.buckets ?? {}),
        [`${project}-flyte-tfstate`]: { location: 'US-CENTRAL1', versioning: true, uniform: true }
      }
    };
  });
}
