/**
 * Terraform providers from verified zips. The action keeps each locked provider's release zip in
 * the tool cache, copies it into a mirror of the run's own and lets init use it only when its
 * SHA-256 is one of the committed lock file's zh: hashes (terraform/provider-fill.ts). The
 * stand-in terraform installs as terraform does (TF_CLI_CONFIG_FILE's filesystem_mirror, packed
 * layout by exact name, checked against the lock), so these tests count what reaches the
 * registry and show what init installed.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lockKey, pluginCacheDir } from '../src/terraform/provider-cache.js';
import { mirrorLockedProviders, REGISTRY_ENV } from '../src/terraform/provider-fill.js';
import {
  cliConfigText,
  lockedProviders,
  ownCliConfig,
  packedZipPath,
  providerRunFiles,
  providerStoreDir
} from '../src/terraform/provider-mirror.js';
import { terraformEnv } from '../src/phases/terraform.js';
import { Harness } from './support/harness.js';
import { Mirror, sha256 } from './support/mirror.js';
import {
  ALL_PROVIDER_FETCHES,
  copyModuleForStandins,
  providerFetches,
  providerPackage,
  publishProviders
} from './support/provider-registry.js';
import { installProviders } from './support/standins/providers.mjs';
import { testContext, testInputs, type TestContext } from './support/task-context.js';

const LOCK = `# This file is maintained automatically by "terraform init".
provider "registry.terraform.io/hashicorp/google" {
  version     = "6.50.0"
  constraints = "~> 6.0"
  hashes = [
    "zh:1f3513fcfcbf7ca53d667a168c5067a4dd91a4d4cccd19743e248ff31065503c",
  ]
}
`;
const WITH_H1 = LOCK.replace(
  '    "zh:',
  '    "h1:79CwMTsp3Ud1nOl5hFS5mxQHyT0fGVye7pqpU0PPlHI=",\n    "zh:'
);
const GOOGLE = 'registry.terraform.io/hashicorp/google';
const GOOGLE_ZIP = 'terraform-provider-google_6.50.0_linux_amd64.zip';

describe('the provider mirror, unit by unit', () => {
  it('keys a lock file by its providers and zh: hashes, not the h1: lines init adds', () => {
    expect(lockKey(WITH_H1)).toBe(lockKey(LOCK));
    expect(lockKey(LOCK.replace('6.50.0', '6.51.0'))).not.toBe(lockKey(LOCK));
    expect(lockKey(LOCK.replace('zh:1f', 'zh:2f'))).not.toBe(lockKey(LOCK));
  });

  it("reads the lock file's providers and only their zh: hashes", () => {
    expect(lockedProviders(WITH_H1)).toEqual([
      {
        address: GOOGLE,
        host: 'registry.terraform.io',
        namespace: 'hashicorp',
        type: 'google',
        version: '6.50.0',
        zipHashes: ['1f3513fcfcbf7ca53d667a168c5067a4dd91a4d4cccd19743e248ff31065503c']
      }
    ]);
  });

  it("names zips as Terraform's packed layout does and writes a mirror-then-direct configuration", () => {
    const [google] = lockedProviders(LOCK);
    expect(packedZipPath('/m', google!, 'linux_amd64')).toBe(
      `/m/registry.terraform.io/hashicorp/google/${GOOGLE_ZIP}`
    );
    expect(cliConfigText('/m', [GOOGLE])).toBe(
      [
        '# Written by flyte-gke-action for this run: the locked providers from verified zips.',
        'provider_installation {',
        '  filesystem_mirror {',
        '    path    = "/m"',
        `    include = ["${GOOGLE}"]`,
        '  }',
        '  direct {',
        `    exclude = ["${GOOGLE}"]`,
        '  }',
        '}',
        ''
      ].join('\n')
    );
    expect(cliConfigText('/m/${x}', [GOOGLE])).toBeUndefined();
    expect(cliConfigText('/m/"x', [GOOGLE])).toBeUndefined();
  });

  it("leaves a job's own CLI configuration alone", () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'home-'));
    expect(ownCliConfig({ HOME: home })).toBeUndefined();
    expect(ownCliConfig({ HOME: home, TF_CLI_CONFIG_FILE: '/x.tfrc' })).toContain(
      'TF_CLI_CONFIG_FILE'
    );
    expect(ownCliConfig({ HOME: home, TERRAFORM_CONFIG: '/x.tfrc' })).toContain('TERRAFORM_CONFIG');
    mkdirSync(path.join(home, '.terraform.d'));
    writeFileSync(path.join(home, '.terraform.d', 'creds.tfrc'), 'credentials "x" {}\n');
    expect(ownCliConfig({ HOME: home })).toBeUndefined();
    writeFileSync(path.join(home, '.terraform.d', 'm.tfrc'), 'provider_installation {}\n');
    expect(ownCliConfig({ HOME: home })).toContain('has its own provider_installation block');
    writeFileSync(path.join(home, '.terraformrc'), 'credentials "x" {}\n');
    expect(ownCliConfig({ HOME: home })).toContain('.terraformrc exists');
  });
});

describe('filling the mirror before init', () => {
  let registry: Mirror;
  let moduleDir: string;
  let home: string;
  let toolCache: string;
  const genuine = () => providerPackage(GOOGLE, '6.50.0');
  const stored = () =>
    path.join(providerStoreDir(toolCache), 'registry.terraform.io/hashicorp/google', GOOGLE_ZIP);
  const registryRequests = (since: number) =>
    registry.requests
      .slice(since)
      .filter((r) => r.path.includes('/v1/providers/') || r.path.includes('terraform-provider-'));

  beforeAll(async () => {
    registry = await Mirror.start();
    publishProviders(registry);
    moduleDir = mkdtempSync(path.join(process.cwd(), '.tmp-module-'));
    copyModuleForStandins(moduleDir);
    home = mkdtempSync(path.join(os.tmpdir(), 'home-'));
    toolCache = mkdtempSync(path.join(os.tmpdir(), 'tool-cache-'));
  });
  afterAll(async () => {
    await registry.close();
    rmSync(moduleDir, { recursive: true, force: true });
  });

  function job(env: NodeJS.ProcessEnv = {}): TestContext {
    const ctx = testContext({
      inputs: testInputs({ 'terraform-dir': path.relative(process.cwd(), moduleDir) }),
      env: { HOME: home, [REGISTRY_ENV]: registry.url, ...env }
    });
    ctx.state.toolCacheDir = toolCache;
    ctx.state.workDir = path.join(ctx.dir, 'work');
    return ctx;
  }

  /** terraform init as the stand-in runs it, with the env the terraform steps give it. */
  async function init(ctx: TestContext) {
    const env = { ...ctx.env, ...terraformEnv(ctx.state), FLYTE_STANDIN_REGISTRY: registry.url };
    const result = await installProviders(moduleDir, env);
    copyModuleForStandins(moduleDir); // init adds h1: lines; the next job checks out again
    const binary = path.join(
      terraformEnv(ctx.state).TF_DATA_DIR!,
      'providers',
      GOOGLE,
      '6.50.0/linux_amd64/terraform-provider-google_v6.50.0_x5'
    );
    return { ...result, google: existsSync(binary) ? readFileSync(binary) : undefined };
  }

  it('a cold runner downloads each zip once, checks it, and init installs it from the mirror', async () => {
    const ctx = job();
    const sent = registry.requests.length;
    await mirrorLockedProviders(ctx);
    expect(registryRequests(sent).map((r) => r.path.split('/').pop())).toEqual(
      expect.arrayContaining([
        'amd64',
        GOOGLE_ZIP,
        'amd64',
        'terraform-provider-random_3.7.2_linux_amd64.zip'
      ])
    );
    expect(registryRequests(sent)).toHaveLength(4);
    expect(readFileSync(stored())).toEqual(genuine());
    const run = providerRunFiles(ctx.state.workDir!);
    expect(ctx.state.terraformCliConfig).toBe(run.cliConfig);
    expect(statSync(run.cliConfig).mode & 0o777).toBe(0o600);
    expect(readFileSync(run.cliConfig, 'utf8')).toContain(`path    = "${run.mirror}"`);
    expect(ctx.cleanups).toContain(run.dir);
    const installed = await init(ctx);
    expect(installed.error).toBeUndefined();
    expect(installed.lines).toContain('- Installed hashicorp/google v6.50.0 (unauthenticated)');
    expect(installed.google).toEqual(genuine());
    // Only the registry's stand-in is counted above: init itself asked nothing.
    expect(registryRequests(sent)).toHaveLength(4);
  });

  it('a warm runner (a fresh checkout, kept zips) asks the registry nothing', async () => {
    const ctx = job();
    const sent = registry.requests.length;
    await mirrorLockedProviders(ctx);
    const installed = await init(ctx);
    expect(installed.error).toBeUndefined();
    expect(installed.google).toEqual(genuine());
    expect(registryRequests(sent)).toEqual([]);
    expect(ctx.log.lines.join('\n')).toContain(`${GOOGLE} 6.50.0 (linux_amd64): the kept zip`);
  });

  it('a kept zip with other bytes is deleted and fetched again; init never sees it', async () => {
    writeFileSync(stored(), 'planted provider');
    const ctx = job();
    const sent = registry.requests.length;
    await mirrorLockedProviders(ctx);
    expect(ctx.log.lines.join('\n')).toContain(
      `warning: ${GOOGLE} 6.50.0: the kept zip ${stored()} has SHA-256 ${sha256(Buffer.from('planted provider'))}, which is none of the committed lock file's zh: hashes. Deleted; downloading it again.`
    );
    expect(registryRequests(sent).map((r) => r.path.split('/').pop())).toEqual([
      'amd64',
      GOOGLE_ZIP
    ]);
    expect(readFileSync(stored())).toEqual(genuine());
    const installed = await init(ctx);
    expect(installed.google).toEqual(genuine());
  });

  it('a zip under another name in the store is never put where init looks', async () => {
    const store = path.dirname(stored());
    const odd = path.join(store, 'terraform-provider-google_6.50.0_linux_amd64_x.zip');
    writeFileSync(odd, 'planted provider');
    const ctx = job();
    await mirrorLockedProviders(ctx);
    const mirrored = path.join(
      providerRunFiles(ctx.state.workDir!).mirror,
      'registry.terraform.io/hashicorp/google'
    );
    expect(readdirSync(mirrored)).toEqual([GOOGLE_ZIP]);
    expect((await init(ctx)).google).toEqual(genuine());
  });

  it('the check reads the committed lock file, whatever zh: a cached copy would add', async () => {
    // A forged zip and a lock file that vouches for it, kept where the old lock copies were.
    const forged = Buffer.from('forged provider');
    const forgedLock = readFileSync(path.join(moduleDir, '.terraform.lock.hcl'), 'utf8').replace(
      'hashes = [\n',
      `hashes = [\n    "zh:${sha256(forged)}",\n`
    );
    const locks = path.join(toolCache, 'flyte-gke-terraform', 'locks', 'linux_amd64');
    mkdirSync(locks, { recursive: true });
    writeFileSync(path.join(locks, `${lockKey(forgedLock)}.hcl`), forgedLock);
    writeFileSync(stored(), forged);
    const ctx = job();
    await mirrorLockedProviders(ctx);
    expect(ctx.log.lines.join('\n')).toContain(
      `the kept zip ${stored()} has SHA-256 ${sha256(forged)}`
    );
    expect((await init(ctx)).google).toEqual(genuine());
  });

  it("a job's own TF_CLI_CONFIG_FILE is left alone: no mirror, no override", async () => {
    const own = path.join(home, 'own.tfrc');
    writeFileSync(own, 'credentials "app.terraform.io" { token = "x" }\n');
    const ctx = job({ TF_CLI_CONFIG_FILE: own });
    const sent = registry.requests.length;
    await mirrorLockedProviders(ctx);
    expect(ctx.state.terraformCliConfig).toBeUndefined();
    expect(terraformEnv(ctx.state).TF_CLI_CONFIG_FILE).toBeUndefined();
    expect(existsSync(providerRunFiles(ctx.state.workDir!).dir)).toBe(false);
    expect(registryRequests(sent)).toEqual([]);
    expect(ctx.log.lines).toContain(
      'Providers are installed by Terraform as configured: the job sets TF_CLI_CONFIG_FILE, so its own Terraform CLI configuration decides.'
    );
  });

  it('a zip the registry serves with other bytes is not placed; init installs that provider itself', async () => {
    const other = await Mirror.start();
    try {
      publishProviders(other);
      other.serve(
        '/releases.hashicorp.com/terraform-provider-google/6.50.0/' + GOOGLE_ZIP,
        'tampered in transit'
      );
      const ctx = job({ [REGISTRY_ENV]: other.url });
      // A fresh store: nothing kept.
      ctx.state.toolCacheDir = mkdtempSync(path.join(os.tmpdir(), 'tool-cache-'));
      await mirrorLockedProviders(ctx);
      expect(ctx.log.lines.join('\n')).toMatch(
        /warning: registry\.terraform\.io\/hashicorp\/google 6\.50\.0: no verified zip \(.* has SHA-256 [0-9a-f]{64}, which is none of the committed lock file's zh: hashes\); terraform init installs it from the registry\./
      );
      const config = readFileSync(ctx.state.terraformCliConfig!, 'utf8');
      expect(config).toContain('include = ["registry.terraform.io/hashicorp/random"]');
      expect(config).not.toContain(GOOGLE);
      expect(
        existsSync(
          packedZipPath(
            providerStoreDir(ctx.state.toolCacheDir),
            lockedProviders(LOCK)[0]!,
            'linux_amd64'
          )
        )
      ).toBe(false);
    } finally {
      await other.close();
    }
  });
});

describe('the stand-in terraform honours the mirror as terraform does', () => {
  it('a missing zip in the mirror fails as terraform fails, without asking the registry', async () => {
    const moduleDir = mkdtempSync(path.join(os.tmpdir(), 'module-'));
    copyModuleForStandins(moduleDir);
    const mirror = mkdtempSync(path.join(os.tmpdir(), 'mirror-'));
    const config = path.join(mirror, 'cli.tfrc');
    writeFileSync(config, cliConfigText(mirror, [GOOGLE])!);
    const result = await installProviders(moduleDir, {
      TF_CLI_CONFIG_FILE: config,
      TF_DATA_DIR: path.join(moduleDir, 'data'),
      FLYTE_STANDIN_REGISTRY: 'http://127.0.0.1:9'
    });
    expect(result.error).toBe(
      `╷\n│ Error: Failed to query available provider packages\n│\n│ Could not retrieve the list of available versions for provider hashicorp/google: provider ${GOOGLE} was not found in any of the search locations\n│\n│   - ${mirror}\n╵\n`
    );
    // A zip with other bytes at the exact name.
    const file = path.join(mirror, 'registry.terraform.io/hashicorp/google', GOOGLE_ZIP);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, 'planted');
    expect((await installProviders(moduleDir, { TF_CLI_CONFIG_FILE: config })).error).toContain(
      "Error while installing hashicorp/google v6.50.0: the current package for registry.terraform.io/hashicorp/google 6.50.0 doesn't match any of the checksums previously recorded in the dependency lock file"
    );
  });
});

describe('a warm runner downloads no provider', () => {
  let harness: Harness;
  const inputs = {
    'project-id': 'acme-flyte-providers',
    'cluster-name': 'flyte-providers',
    'workload-identity-provider':
      'projects/123456789012/locations/global/workloadIdentityPools/github/providers/acme',
    'gcloud-version': 'system',
    'terraform-version': 'system',
    'helm-version': 'system',
    'comment-on-pr': 'false'
  };
  const providerDownloads = (since: number) =>
    harness.upstream.requests
      .slice(since)
      .filter((r) => r.path.includes('terraform-provider-') || r.path.includes('/v1/providers/'));
  beforeAll(async () => {
    harness = await Harness.create({ oidc: true });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('a cold runner downloads each provider once, checked against the lock file', async () => {
    const result = await harness.run(inputs);
    await harness.runPost();
    expect(result.errors).toEqual([]);
    expect(providerFetches(providerDownloads(0))).toEqual(ALL_PROVIDER_FETCHES);
    expect(result.stdout).toContain('- Installed hashicorp/google v6.50.0 (unauthenticated)');
    const init = result.calls.find((c) => c.tool === 'terraform' && c.args[0] === 'init')!;
    expect(init.env.TF_PLUGIN_CACHE_DIR).toBe(pluginCacheDir(harness.toolCache));
    expect(init.env.TF_CLI_CONFIG_FILE).toMatch(/terraform-providers\/cli\.tfrc$/);
    // Removed by the post step with the rest of the run's scratch files.
    expect(existsSync(init.env.TF_CLI_CONFIG_FILE!)).toBe(false);
  });

  it('a fresh checkout on the warm runner: nothing is downloaded', async () => {
    copyModuleForStandins(harness.moduleDir); // the committed lock file again, zh: only
    const sent = harness.upstream.requests.length;
    const result = await harness.run(inputs);
    await harness.runPost();
    expect(result.errors).toEqual([]);
    expect(providerDownloads(sent)).toEqual([]);
    expect(harness.upstream.requests.slice(sent)).toEqual([]);
    expect(result.stdout).toContain('- Installed hashicorp/google v6.50.0 (unauthenticated)');
  });

  it('a kept zip changed on disk is refused and downloaded again', async () => {
    copyModuleForStandins(harness.moduleDir);
    const kept = path.join(
      providerStoreDir(harness.toolCache),
      'registry.terraform.io/hashicorp/google',
      GOOGLE_ZIP
    );
    writeFileSync(kept, 'tampered');
    const sent = harness.upstream.requests.length;
    const result = await harness.run(inputs);
    await harness.runPost();
    expect(result.errors).toEqual([]);
    expect(providerDownloads(sent).map((r) => r.path.split('/').pop())).toEqual([
      'amd64',
      GOOGLE_ZIP
    ]);
    expect(result.warnings.join('\n')).toContain('none of the committed lock file');
  });
});
