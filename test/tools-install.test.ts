import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { installAndRecord, type InstallDeps } from '../src/tools/download.js';
import { currentPlatform } from '../src/tools/sources.js';
import { gcloudRecipe } from '../src/tools/gcloud/install.js';
import { helmRecipe } from '../src/tools/helm/install.js';
import { kubectlRecipe } from '../src/tools/kubectl/install.js';
import { terraformRecipe } from '../src/tools/terraform/install.js';
import { buildArchive, Mirror, mirrorPath, publish } from './support/mirror.js';
import { type TestContext } from './support/task-context.js';
import { useToolMirror } from './support/tool-mirror.js';

const platform = currentPlatform();
const TF = '1.13.4';
const HELM = '3.19.0';
// Each stand-in archive published below is pinned for these tests (support/test-pins.ts).
const GCLOUD = '528.0.0';

const tools = useToolMirror();
let mirror: Mirror;
beforeAll(() => {
  mirror = tools.mirror;
});

const context = tools.context;
// The runner's own retries (4 attempts), as the action downloads.
const deps = (ctx: TestContext, allowUnpinned = false): InstallDeps =>
  tools.deps(ctx, { allowUnpinned, attempts: 4 });

/** Everything in the tool cache for a tool, including staging leftovers. */
const cacheEntries = (ctx: TestContext, tool: string) => {
  const dir = path.join(ctx.env.RUNNER_TOOL_CACHE ?? '', tool);
  return existsSync(dir) ? readdirSync(dir) : [];
};

describe('tool installation from a mirror', () => {
  it('lays the mirror out as host then path, as documented', () => {
    expect(mirrorPath(mirror, terraformRecipe.archiveUrl(TF, { os: 'linux', arch: 'x64' }))).toBe(
      `/releases.hashicorp.com/terraform/${TF}/terraform_${TF}_linux_amd64.zip`
    );
    expect(mirrorPath(mirror, helmRecipe.archiveUrl(HELM, { os: 'linux', arch: 'x64' }))).toBe(
      `/get.helm.sh/helm-v${HELM}-linux-amd64.tar.gz`
    );
    expect(mirrorPath(mirror, gcloudRecipe.archiveUrl(GCLOUD, { os: 'linux', arch: 'x64' }))).toBe(
      `/dl.google.com/dl/cloudsdk/channels/rapid/downloads/google-cloud-cli-${GCLOUD}-linux-x86_64.tar.gz`
    );
  });

  it('installs terraform, verifies it, caches it in tool-cache layout and puts it on PATH', async () => {
    publish(mirror, terraformRecipe, buildArchive('terraform', TF, platform), platform);
    const ctx = context();
    const installed = await installAndRecord(
      terraformRecipe,
      ctx.inputs.tools.terraform,
      deps(ctx)
    );

    expect(installed).toMatchObject({ version: TF, source: 'mirror' });
    expect(ctx.state.tools.terraform).toEqual(installed);
    expect(ctx.paths).toEqual([installed.path]);
    const toolDir = path.join(ctx.env.RUNNER_TOOL_CACHE ?? '', 'terraform', TF, platform.arch);
    expect(installed.path).toBe(path.join(toolDir, '.'));
    expect(existsSync(`${toolDir}.complete`)).toBe(true);
    const out = execFileSync(path.join(installed.path, 'terraform'), ['version', '-json']);
    expect(JSON.parse(out.toString())).toMatchObject({ terraform_version: TF });
    expect(ctx.log.lines).toContain(`terraform ${TF} from mirror (${installed.path})`);
    // Nothing but the finished version is left in the cache, and no archive in RUNNER_TEMP.
    expect(cacheEntries(ctx, 'terraform').sort()).toEqual([TF]);
    expect(readdirSync(ctx.env.RUNNER_TEMP ?? '')).toEqual([]);

    // @actions/tool-cache (which reads process.env when called) finds what we cached.
    const saved = process.env.RUNNER_TOOL_CACHE;
    process.env.RUNNER_TOOL_CACHE = ctx.env.RUNNER_TOOL_CACHE;
    try {
      const tc = await import('@actions/tool-cache');
      expect(tc.find('terraform', TF, platform.arch)).toBe(toolDir);
    } finally {
      process.env.RUNNER_TOOL_CACHE = saved;
    }
  });

  it('under allow-unpinned-tools, fails on a publisher checksum mismatch and installs nothing', async () => {
    publish(mirror, helmRecipe, buildArchive('helm', '3.17.9', platform), platform, {
      wrongChecksum: true,
      pin: false
    });
    const ctx = context({ 'helm-version': '3.17.9' });
    await expect(
      installAndRecord(helmRecipe, ctx.inputs.tools.helm, deps(ctx, true))
    ).rejects.toThrow(
      /helm 3\.17\.9: the SHA-256 of .* is [0-9a-f]{64}, but the publisher's checksum is [0-9a-f]{64}\. Nothing was unpacked or installed/
    );
    expect(cacheEntries(ctx, 'helm')).toEqual([]);
    expect(ctx.paths).toEqual([]);
    expect(ctx.state.tools.helm).toBeUndefined();
    expect(readdirSync(ctx.env.RUNNER_TEMP ?? '')).toEqual([]);
  });

  it('retries 503 twice with backoff, then succeeds', async () => {
    const archive = buildArchive('helm', '3.18.6', platform);
    publish(mirror, helmRecipe, archive, platform, { failures: 2 });
    const ctx = context({ 'helm-version': '3.18.6' });
    const installed = await installAndRecord(helmRecipe, ctx.inputs.tools.helm, deps(ctx));
    expect(installed.version).toBe('3.18.6');
    expect(
      mirror
        .requestsFor('helm-v3.18.6-')
        .filter((r) => !r.path.endsWith('sum'))
        .map((r) => r.status)
    ).toEqual([503, 503, 200]);
    expect(ctx.clock.sleeps).toEqual([1000, 2000]);
    expect(existsSync(path.join(installed.path, 'helm'))).toBe(true);
  });

  it('fails at once on 404, naming the version, without retrying', async () => {
    const ctx = context({ 'terraform-version': '1.99.0' });
    await expect(
      installAndRecord(terraformRecipe, ctx.inputs.tools.terraform, deps(ctx, true))
    ).rejects.toThrow(
      /terraform 1\.99\.0 was not found: .*terraform_1\.99\.0_SHA256SUMS answered HTTP 404\. Set terraform-version to a published version/
    );
    expect(mirror.requestsFor('1.99.0')).toHaveLength(1);
    expect(ctx.clock.sleeps).toEqual([]);
    expect(cacheEntries(ctx, 'terraform')).toEqual([]);
  });

  it('installs gcloud as its archive holds it, and a warm cache makes no request and runs nothing', async () => {
    publish(mirror, gcloudRecipe, buildArchive('gcloud', GCLOUD, platform), platform);
    const cold = context();
    const first = await installAndRecord(gcloudRecipe, cold.inputs.tools.gcloud, deps(cold));
    expect(first).toMatchObject({ version: GCLOUD, source: 'mirror' });
    // No component install: kubectl is its own download, the exec plugin replaces the GKE one.
    expect(readdirSync(first.path)).toEqual(['gcloud']);
    expect(existsSync(path.join(first.path, '..', 'components-installed.log'))).toBe(false);

    const before = mirror.requests.length;
    const warm = context({}, { RUNNER_TOOL_CACHE: cold.env.RUNNER_TOOL_CACHE });
    const second = await installAndRecord(gcloudRecipe, warm.inputs.tools.gcloud, deps(warm));
    expect(second).toEqual({ ...first, source: 'cache' });
    expect(mirror.requests.length).toBe(before);
    expect(warm.paths).toEqual([first.path]);
  });

  it('never installs gcloud unverified: no pin and no mirror checksum fails clearly', async () => {
    publish(mirror, gcloudRecipe, buildArchive('gcloud', '530.0.0', platform), platform, {
      withChecksum: false,
      pin: false
    });
    const ctx = context({ 'gcloud-version': '530.0.0' });
    await expect(
      installAndRecord(gcloudRecipe, ctx.inputs.tools.gcloud, deps(ctx, true))
    ).rejects.toThrow(
      /gcloud 530\.0\.0 cannot be verified: it has no pin in the action's source, and Google publishes no checksum file/
    );
    expect(mirror.requestsFor('google-cloud-cli-530.0.0').map((r) => r.path)).toEqual([
      expect.stringMatching(/\.tar\.gz\.sha256$/)
    ]);
    expect(cacheEntries(ctx, 'gcloud')).toEqual([]);
  });

  it('a pinned archive needs no checksum file: only the archive is fetched', async () => {
    const archive = buildArchive('gcloud', '531.0.0', platform);
    publish(mirror, gcloudRecipe, archive, platform, { withChecksum: false });
    const ctx = context({ 'gcloud-version': '531.0.0' });
    const installed = await installAndRecord(gcloudRecipe, ctx.inputs.tools.gcloud, deps(ctx));
    expect(installed.version).toBe('531.0.0');
    expect(mirror.requestsFor('google-cloud-cli-531.0.0').map((r) => r.path)).toEqual([
      expect.stringMatching(/\.tar\.gz$/)
    ]);
  });

  it("resolves 'latest' from each publisher's version endpoint through the mirror", async () => {
    const latest = { terraform: '1.14.5', helm: '3.20.0', gcloud: '550.0.0', kubectl: '1.37.0' };
    mirror.serve(
      mirrorPath(mirror, terraformRecipe.latestUrl),
      JSON.stringify({ product: 'terraform', current_version: latest.terraform })
    );
    mirror.serve(mirrorPath(mirror, helmRecipe.latestUrl), `v${latest.helm}\n`);
    mirror.serve(mirrorPath(mirror, kubectlRecipe.latestUrl), `v${latest.kubectl}`);
    mirror.serve(
      mirrorPath(mirror, gcloudRecipe.latestUrl),
      JSON.stringify({ version: latest.gcloud, components: [] })
    );
    publish(
      mirror,
      terraformRecipe,
      buildArchive('terraform', latest.terraform, platform),
      platform
    );
    publish(mirror, helmRecipe, buildArchive('helm', latest.helm, platform), platform);
    publish(mirror, gcloudRecipe, buildArchive('gcloud', latest.gcloud, platform), platform);
    publish(mirror, kubectlRecipe, buildArchive('kubectl', latest.kubectl, platform), platform);
    const ctx = context({
      'terraform-version': 'latest',
      'helm-version': 'latest',
      'gcloud-version': 'latest',
      'kubectl-version': 'latest'
    });
    for (const recipe of [terraformRecipe, helmRecipe, gcloudRecipe, kubectlRecipe]) {
      const installed = await installAndRecord(recipe, ctx.inputs.tools[recipe.tool], deps(ctx));
      expect(installed.version).toBe(latest[recipe.tool]);
    }
  });
});
