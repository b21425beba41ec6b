/**
 * Caches between GitHub-hosted runs: the real @actions/cache client against a loopback cache
 * service that speaks the v2 protocol strictly (support/cache-server.ts), the real installers
 * against a loopback mirror. Each "job" starts with an empty tool cache at the same path, as a
 * fresh hosted runner does.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getCacheVersion, getCompressionMethod } from '@actions/cache/lib/internal/cacheUtils.js';
import type { TaskStep } from '../src/engine/types.js';
import { RunState } from '../src/engine/state.js';
import { CLEANUP_STATE } from '../src/cleanup-state.js';
import { installTools, TOOL_RECIPES, toolsPhase } from '../src/phases/tools.js';
import { ensureChart } from '../src/phases/chart-fetch.js';
import { actionsCacheService } from '../src/tools/cache/actions-cache.js';
import { hostedCacheEntries, type CacheEntry } from '../src/tools/cache/entries.js';
import { HOSTED_CACHE_STATE } from '../src/tools/cache/record.js';
import { saveHostedCaches } from '../src/tools/cache/save.js';
import { currentPlatform } from '../src/tools/sources.js';
import { gcloudRecipe } from '../src/tools/gcloud/install.js';
import { helmRecipe } from '../src/tools/helm/install.js';
import { kubectlRecipe } from '../src/tools/kubectl/install.js';
import { terraformRecipe } from '../src/tools/terraform/install.js';
import { lockKey } from '../src/terraform/provider-cache.js';
import { mirrorLockedProviders, REGISTRY_ENV } from '../src/terraform/provider-fill.js';
import { providerRunFiles, providerStoreDir } from '../src/terraform/provider-mirror.js';
import { terraformEnv } from '../src/phases/terraform.js';
import { CacheServer } from './support/cache-server.js';
import { publishChartRepo } from './support/chart-repo.js';
import { buildArchive, Mirror, publish } from './support/mirror.js';
import {
  ALL_PROVIDER_FETCHES,
  copyModuleForStandins,
  providerFetches,
  providerPackage,
  publishProviders
} from './support/provider-registry.js';
import { installProviders } from './support/standins/providers.mjs';
import { testContext, testInputs, type TestContext } from './support/task-context.js';
import { testPins, writeTestPins } from './support/test-pins.js';

const platform = currentPlatform();
const TF = '1.13.4';
const HELM = '3.19.0';
const GCLOUD = '528.0.0';
const KUBECTL = '1.36.1';
const CHART = 'v1.16.8';
// What the auth phase, the kubeconfig, the values and Terraform would hold in this job.
const CREDENTIALS = '{"type":"external_account","audience":"//iam.googleapis.com/canary-audience"}';
const TOKEN = 'ya29.canary-access-token-0123456789';
const DB_PASSWORD = 'canary-db-password-Zx81!';

let cacheServer: CacheServer;
const servers: CacheServer[] = [];
let mirror: Mirror;
let root: string;
let toolCache: string;
let workspace: string;
let moduleDir: string;
let pinsFile: string;
let home: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  cacheServer = await CacheServer.start();
  servers.push(cacheServer);
  mirror = await Mirror.start();
  root = mkdtempSync(path.join(tmpdir(), 'hosted-cache-'));
  toolCache = path.join(root, 'hostedtoolcache');
  workspace = path.join(root, 'work', 'repo');
  moduleDir = path.join(workspace, 'infra');
  mkdirSync(workspace, { recursive: true });
  // The committed lock file holds zh: hashes only, as the shipped module's does.
  copyModuleForStandins(moduleDir);
  home = path.join(root, 'home');
  mkdirSync(home);
  publishProviders(mirror);
  publish(mirror, terraformRecipe, buildArchive('terraform', TF, platform), platform);
  publish(mirror, helmRecipe, buildArchive('helm', HELM, platform), platform);
  publish(mirror, gcloudRecipe, buildArchive('gcloud', GCLOUD, platform), platform);
  publish(mirror, kubectlRecipe, buildArchive('kubectl', KUBECTL, platform), platform);
  publishChartRepo(mirror, { versions: [CHART] });
  pinsFile = path.join(root, 'pins.json');
  writeTestPins(pinsFile);
  // @actions/cache reads the runner's variables from the process environment.
  Object.assign(process.env, cacheServer.env(), {
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: path.join(root, 'temp')
  });
  mkdirSync(path.join(root, 'temp'), { recursive: true });
});

afterAll(async () => {
  process.env = savedEnv;
  for (const server of servers) await server.close();
  await mirror.close();
});

let planted = 0;
/**
 * Puts an entry under `key` as another job with the cache token could: `files` written at their
 * paths, packed as @actions/cache packs (GNU tar --posix, names relative to the workspace, zstd
 * or gzip as this runner would), for the version of `entryPaths`, then removed from disk again.
 */
async function plantEntry(
  key: string,
  entryPaths: readonly string[],
  files: Record<string, Buffer | string>
): Promise<void> {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  const method = await getCompressionMethod();
  const tarFile = path.join(root, `planted-${(planted += 1)}.tar`);
  const names = Object.keys(files).map((f) => path.relative(workspace, f));
  execFileSync('tar', ['--posix', '-cf', tarFile, '-P', '-C', workspace, ...names]);
  const packed = method === 'gzip' ? `${tarFile}.gz` : `${tarFile}.zst`;
  if (method === 'gzip') execFileSync('sh', ['-c', `gzip -c "${tarFile}" > "${packed}"`]);
  else execFileSync('zstd', ['-q', '-f', tarFile, '-o', packed]);
  cacheServer.plant(key, getCacheVersion([...entryPaths], method, false), readFileSync(packed));
  for (const file of Object.keys(files)) rmSync(file, { force: true });
}

const jobInputs = (extra: Record<string, string> = {}) =>
  testInputs({
    'tool-mirror': mirror.url,
    'gcloud-version': GCLOUD,
    'terraform-dir': path.relative(process.cwd(), moduleDir),
    ...extra
  });

function jobContext(env: NodeJS.ProcessEnv = {}): TestContext {
  rmSync(toolCache, { recursive: true, force: true }); // a fresh hosted runner
  const ctx = testContext({
    inputs: jobInputs(),
    env: {
      RUNNER_ENVIRONMENT: 'github-hosted',
      RUNNER_TOOL_CACHE: toolCache,
      GITHUB_WORKSPACE: workspace,
      FLYTE_GKE_TEST_PINS: pinsFile,
      HOME: home,
      [REGISTRY_ENV]: mirror.url,
      ...cacheServer.env(),
      ...env
    }
  });
  ctx.state.toolCacheDir = toolCache;
  ctx.state.workDir = path.join(ctx.env.RUNNER_TEMP!, 'flyte-gke');
  return ctx;
}

/** terraform init (the stand-in) with the env the terraform steps give it, and no registry. */
async function init(ctx: TestContext) {
  const env = { ...terraformEnv(ctx.state), HOME: home };
  const result = await installProviders(moduleDir, env);
  copyModuleForStandins(moduleDir); // init adds h1: lines; the next job checks out again
  const binary = path.join(
    terraformEnv(ctx.state).TF_DATA_DIR!,
    'providers/registry.terraform.io/hashicorp/google/6.50.0/linux_amd64/terraform-provider-google_v6.50.0_x5'
  );
  return { ...result, google: existsSync(binary) ? readFileSync(binary) : undefined };
}

function hostedEntries(): CacheEntry[] {
  return hostedCacheEntries(jobInputs(), {
    toolCache,
    platform,
    recipes: TOOL_RECIPES,
    toolPins: testPins().tools,
    chartPins: testPins().charts,
    lockText: readFileSync(path.join(moduleDir, '.terraform.lock.hcl'), 'utf8')
  }).entries;
}
const hostedProviderEntry = () => hostedEntries().find((e) => e.name === 'providers')!;

/** The secrets a job writes under RUNNER_TEMP, registered for the post step as the action does. */
function writeSecrets(ctx: TestContext): void {
  const temp = ctx.env.RUNNER_TEMP!;
  const files: Record<string, string> = {
    'flyte-gke-credentials.json': CREDENTIALS,
    'kube/config': `users:\n- name: gke\n  user:\n    token: ${TOKEN}\n`,
    'flyte-gke/plan/action.auto.tfvars.json': `{"db_password":"${DB_PASSWORD}"}`
  };
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(temp, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content, { mode: 0o600 });
    ctx.registerCleanup(file);
  }
}

async function initAfterMirror(ctx: TestContext) {
  await mirrorLockedProviders(ctx);
  return init(ctx);
}

/** One job: restore, install the tools, get the chart, (init), then the post step's save. */
async function job(options: { env?: NodeJS.ProcessEnv; init?: boolean; fail?: boolean } = {}) {
  const ctx = jobContext(options.env);
  const restore = toolsPhase(ctx.inputs)
    .steps(ctx.state)
    .find((s) => s.id === 'cache-restore') as TaskStep;
  await restore.run(ctx);
  writeSecrets(ctx);
  // As installToolsBeside does without a background runner: gcloud's restore first.
  await Promise.all(Object.values(ctx.state.backgroundRestores ?? {}));
  await installTools(ctx);
  await ensureChart(ctx);
  const terraform = options.init === false ? undefined : await initAfterMirror(ctx);
  // run.ts records the entries for the post step only when the main step succeeded.
  const state: Record<string, string> = {
    [CLEANUP_STATE]: JSON.stringify(ctx.cleanups),
    ...(options.fail || !ctx.state.hostedCache
      ? {}
      : { [HOSTED_CACHE_STATE]: JSON.stringify(ctx.state.hostedCache) })
  };
  const post: string[] = [];
  await saveHostedCaches({
    getState: (name) => state[name] ?? '',
    env: ctx.env,
    service: actionsCacheService(process.env),
    info: (m) => post.push(m),
    warning: (m) => post.push(`warning: ${m}`)
  });
  return { ctx, post, terraform };
}

const downloadsSince = (n: number) =>
  mirror.requests.slice(n).filter((r) => !r.path.endsWith('SHA256SUMS') && r.status === 200);

/** The saved archive of an entry, as GNU tar reads it: member names, and every file's bytes. */
function unpackSaved(key: string): { names: string[]; text: string } {
  const stored = cacheServer.entry(key);
  if (!stored?.blob) throw new Error(`nothing saved under ${key}`);
  const file = path.join(mkdtempSync(path.join(root, 'saved-')), 'cache.archive');
  writeFileSync(file, stored.blob);
  // -a picks the decompressor (zstd or gzip) from the content; -O unpacks to stdout only.
  const names = execFileSync('tar', ['-taf', file, '-P']).toString().split('\n').filter(Boolean);
  const text = execFileSync('tar', ['-xaOf', file, '-P'], { maxBuffer: 1 << 28 }).toString(
    'latin1'
  );
  return { names, text };
}

describe('caches between GitHub-hosted runs', () => {
  let first: Awaited<ReturnType<typeof job>>;
  let second: Awaited<ReturnType<typeof job>>;
  let secondDownloads: ReturnType<typeof downloadsSince>;

  beforeAll(async () => {
    first = await job();
    const before = mirror.requests.length;
    const uploadsBefore = cacheServer.blobRequests('PUT').length;
    second = await job();
    secondDownloads = downloadsSince(before);
    expect(cacheServer.blobRequests('PUT').length).toBe(uploadsBefore);
  });

  it('a first run downloads everything, then the post step saves one entry per item', () => {
    expect(first.ctx.state.tools.terraform?.source).toBe('mirror');
    expect(first.post.filter((l) => l.startsWith('warning'))).toEqual([]);
    const saved = hostedEntries().map((e) => e.key);
    expect(saved).toHaveLength(6);
    for (const key of saved) expect(cacheServer.entry(key)).toBeDefined();
    expect(first.post).toContain(`terraform ${TF}: saved to the Actions cache (${saved[1]}).`);
  });

  it('a second run on a fresh runner restores all and downloads nothing from the mirror', () => {
    expect(secondDownloads.map((r) => r.path)).toEqual([]);
    expect(second.ctx.state.tools.terraform).toMatchObject({ version: TF, source: 'cache' });
    expect(second.ctx.state.tools.helm).toMatchObject({ version: HELM, source: 'cache' });
    expect(second.ctx.state.tools.gcloud).toMatchObject({ version: GCLOUD, source: 'cache' });
    expect(second.ctx.state.tools.kubectl).toMatchObject({ version: KUBECTL, source: 'cache' });
    expect(second.ctx.log.lines).toContain(
      `providers: restored from the Actions cache (${hostedProviderEntry().key}).`
    );
    // The provider zips are back in the store, not executable; init took checked copies from
    // the run's mirror and asked no registry (the stand-in has none here).
    for (const zip of hostedProviderEntry().paths) expect(statSync(zip).mode & 0o777).toBe(0o644);
    expect(second.terraform?.error).toBeUndefined();
    expect(second.terraform?.lines).toContain(
      '- Installed hashicorp/google v6.50.0 (unauthenticated)'
    );
    expect(second.terraform?.google).toEqual(
      providerPackage('registry.terraform.io/hashicorp/google', '6.50.0')
    );
    expect(second.ctx.state.terraformCliConfig).toBe(
      providerRunFiles(second.ctx.state.workDir!).cliConfig
    );
    // The restored tools run: unpacked from the restored archive, checked against the pin.
    const terraform = path.join(second.ctx.state.tools.terraform!.path, 'terraform');
    expect(execFileSync(terraform, ['version']).toString()).toContain(TF);
    // Nothing new, so nothing is saved again.
    expect(second.post).toEqual([]);
  });

  it('keys name the item, platform, pinned version and digest, or the committed lock file', () => {
    const pins = testPins();
    const [gcloud, terraform, helm, kubectl, providers, chart] = hostedEntries();
    const tfPin = pins.tools[`terraform_${TF}_linux_amd64.zip`]!;
    expect(terraform!.key).toBe(`flyte-gke-v1-terraform-${TF}-linux-x64-${tfPin.slice(0, 16)}`);
    expect(terraform!.paths).toEqual([path.join(toolCache, 'terraform', TF, 'x64.archive')]);
    expect(helm!.key).toMatch(new RegExp(`^flyte-gke-v1-helm-${HELM}-linux-x64-[0-9a-f]{16}$`));
    expect(gcloud!.key).toMatch(
      new RegExp(`^flyte-gke-v1-gcloud-${GCLOUD}-linux-x64-[0-9a-f]{16}$`)
    );
    // kubectl's key carries the digest of its pin row (kubectl-vVERSION-OS-ARCH).
    expect(kubectl!.key).toBe(
      `flyte-gke-v1-kubectl-${KUBECTL}-linux-x64-${pins.tools[`kubectl-v${KUBECTL}-linux-amd64`]!.slice(0, 16)}`
    );
    expect(kubectl!.paths).toEqual([path.join(toolCache, 'kubectl', KUBECTL, 'x64.archive')]);
    expect(chart!.key).toBe(
      `flyte-gke-v1-chart-flyte-binary-${CHART}-${pins.charts[CHART]!.slice(0, 16)}`
    );
    const lock = readFileSync(path.join(moduleDir, '.terraform.lock.hcl'), 'utf8');
    expect(providers!.key).toBe(`flyte-gke-v1-providers-linux_amd64-${lockKey(lock)}`);
    expect(providers!.folders).toBe(false);
    expect(providers!.paths).toEqual([
      path.join(
        providerStoreDir(toolCache),
        'registry.terraform.io/hashicorp/google/terraform-provider-google_6.50.0_linux_amd64.zip'
      ),
      path.join(
        providerStoreDir(toolCache),
        'registry.terraform.io/hashicorp/random/terraform-provider-random_3.7.2_linux_amd64.zip'
      )
    ]);
    // Another lock file is another providers key; the tools keep theirs.
    const other = hostedCacheEntries(jobInputs(), {
      toolCache,
      platform,
      recipes: TOOL_RECIPES,
      toolPins: pins.tools,
      chartPins: pins.charts,
      lockText: readFileSync(path.join(moduleDir, '.terraform.lock.hcl'), 'utf8').replace(
        '6.50.0',
        '6.50.1'
      )
    }).entries;
    expect(other.map((e) => e.key)).toEqual(
      hostedEntries().map((e) => (e.name === 'providers' ? other[4]!.key : e.key))
    );
    expect(other[4]!.key).not.toBe(providers!.key);
    for (const entry of hostedEntries()) expect(entry.key.length).toBeLessThanOrEqual(512);
  });

  it('no saved archive holds the credentials, the token or the database password', () => {
    for (const { key } of hostedEntries()) {
      const { names, text } = unpackSaved(key);
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) expect(name).toMatch(/hostedtoolcache\//);
      expect(text).not.toContain(CREDENTIALS);
      expect(text).not.toContain('canary-audience');
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(DB_PASSWORD);
      expect(text).not.toContain(cacheServer.token);
    }
  });
});

describe('what is not cached', () => {
  it('gcloud with install-gcloud false: a run that may run no gcloud command restores none', () => {
    const { entries, skipped } = hostedCacheEntries(jobInputs({ 'install-gcloud': 'false' }), {
      toolCache,
      platform,
      recipes: TOOL_RECIPES,
      toolPins: testPins().tools,
      chartPins: testPins().charts,
      lockText: undefined
    });
    expect(entries.map((e) => e.tool).filter(Boolean)).toEqual(['terraform', 'helm', 'kubectl']);
    expect(skipped).toContain(
      'gcloud: install-gcloud is false, so it is downloaded only if a command needs it.'
    );
  });

  it('providers whose lock entries hold no zh: hashes: nothing could check their zips', () => {
    const { entries, skipped } = hostedCacheEntries(jobInputs(), {
      toolCache,
      platform,
      recipes: TOOL_RECIPES,
      toolPins: testPins().tools,
      chartPins: testPins().charts,
      lockText: readFileSync(path.join(moduleDir, '.terraform.lock.hcl'), 'utf8').replace(
        /\s*"zh:[^"]*",/g,
        ''
      )
    });
    expect(entries.map((e) => e.name)).not.toContain('providers');
    expect(skipped.join('\n')).toContain('records no zh: hashes');
  });

  it("a job with its own TF_CLI_CONFIG_FILE: the mirror is skipped, init's configuration is the job's", async () => {
    const own = path.join(home, 'own.tfrc');
    writeFileSync(own, 'credentials "app.terraform.io" { token = "x" }\n');
    const ctx = jobContext({ TF_CLI_CONFIG_FILE: own });
    await mirrorLockedProviders(ctx);
    expect(terraformEnv(ctx.state).TF_CLI_CONFIG_FILE).toBeUndefined();
    expect(ctx.log.lines.join('\n')).toContain('the job sets TF_CLI_CONFIG_FILE');
  });

  it('a path that overlaps RUNNER_TEMP or a file registered for removal is never saved', async () => {
    const ctx = jobContext();
    const secret = path.join(toolCache, 'terraform', TF, 'x64.archive');
    mkdirSync(path.dirname(secret), { recursive: true });
    writeFileSync(secret, CREDENTIALS);
    const record = {
      toolCache,
      entries: [
        {
          name: 'planted',
          key: 'flyte-gke-v1-planted',
          paths: [secret],
          folders: false,
          present: false
        }
      ]
    };
    const post: string[] = [];
    await saveHostedCaches({
      getState: (name) =>
        name === HOSTED_CACHE_STATE ? JSON.stringify(record) : JSON.stringify([secret]),
      env: ctx.env,
      service: actionsCacheService(process.env),
      info: (m) => post.push(m),
      warning: (m) => post.push(`warning: ${m}`)
    });
    expect(post).toEqual([
      `warning: planted was not saved to the Actions cache: ${secret} overlaps ${secret}, which may hold secrets.`
    ]);
    expect(cacheServer.entry('flyte-gke-v1-planted')).toBeUndefined();
  });

  it('a failed main step records nothing, so the post step saves nothing', async () => {
    const before = cacheServer.entries.length;
    const { post } = await job({
      env: { RUNNER_TEMP: path.join(root, 'failed-temp') },
      fail: true
    });
    expect(post).toEqual([]);
    expect(cacheServer.entries.length).toBe(before);
  });

  it('a self-hosted runner neither restores nor saves', async () => {
    const before = cacheServer.requests.length;
    const { ctx, post } = await job({ env: { RUNNER_ENVIRONMENT: 'self-hosted' } });
    expect(cacheServer.requests.length).toBe(before);
    expect(ctx.state.hostedCache).toBeUndefined();
    expect(ctx.log.lines.join('\n')).toContain('Not a GitHub-hosted runner');
    expect(post).toEqual([]);
  });

  it('cache: false leaves the restore step out of the plan', () => {
    const inputs = testInputs({ cache: 'false' });
    expect(
      toolsPhase(inputs)
        .steps(new RunState())
        .map((s) => s.id)
    ).toEqual(['install-tools']);
  });
});

describe('a poisoned Actions cache', () => {
  const entryNamed = (name: string) => hostedEntries().find((e) => e.name === name)!;
  const toolDir = () => path.join(toolCache, 'terraform', TF, 'x64');
  const terraformDownloads = (since: number) =>
    downloadsSince(since).filter((r) => r.path.endsWith(`terraform_${TF}_linux_amd64.zip`));

  beforeEach(async () => {
    // Each attack against an empty service, so no genuine entry is found first.
    cacheServer = await CacheServer.start();
    servers.push(cacheServer);
    Object.assign(process.env, cacheServer.env());
  });

  it('a restored terraform archive whose binary was rewritten is refused and fetched again', async () => {
    const entry = entryNamed(`terraform ${TF}`);
    const evil = buildArchive('terraform', TF, platform, 0, {
      terraform: '#!/bin/sh\necho "Terraform v1.13.4 (rewritten)"\n'
    });
    await plantEntry(entry.key, entry.paths, { [entry.paths[0]!]: evil.body });
    const before = mirror.requests.length;
    const { ctx, post } = await job();
    expect(ctx.log.lines).toContain(
      `terraform ${TF}: restored from the Actions cache (${entry.key}).`
    );
    expect(ctx.log.lines.join('\n')).toContain(
      `warning: terraform ${TF}: the kept archive ${entry.paths[0]} has SHA-256 ${evil.sha256}, not the pinned`
    );
    expect(terraformDownloads(before)).toHaveLength(1);
    expect(ctx.state.tools.terraform?.source).toBe('mirror');
    const out = execFileSync(path.join(toolDir(), 'terraform'), ['version']).toString();
    expect(out).not.toContain('rewritten');
    // Its key is taken; the post step leaves it (and the others are saved).
    expect(post.join('\n')).not.toContain(`terraform ${TF}: saved`);
  });

  it('an entry holding an unpacked folder with a rewritten binary writes nothing and is fetched again', async () => {
    const entry = entryNamed(`terraform ${TF}`);
    const genuine = buildArchive('terraform', TF, platform);
    await plantEntry(entry.key, entry.paths, {
      [entry.paths[0]!]: genuine.body,
      [path.join(toolDir(), 'terraform')]: '#!/bin/sh\necho rewritten\n',
      [`${toolDir()}.complete`]: ''
    });
    const ctx = jobContext();
    await (toolsPhase(ctx.inputs).steps(ctx.state)[0] as TaskStep).run(ctx);
    expect(existsSync(toolDir())).toBe(false);
    expect(existsSync(entry.paths[0]!)).toBe(false);
    expect(ctx.log.lines.join('\n')).toContain(
      `warning: terraform ${TF}: the Actions cache entry ${entry.key} is not used: it holds file ${path.relative(workspace, path.join(toolDir(), 'terraform'))}`
    );
    const before = mirror.requests.length;
    await installTools(ctx);
    expect(terraformDownloads(before)).toHaveLength(1);
    expect(execFileSync(path.join(toolDir(), 'terraform'), ['version']).toString()).toContain(TF);
  });

  it('a providers entry with rewritten zips is restored, refused by the committed zh: and fetched again', async () => {
    const entry = entryNamed('providers');
    const planted = Object.fromEntries(entry.paths.map((p) => [p, `planted ${path.basename(p)}`]));
    await plantEntry(entry.key, entry.paths, planted);
    const before = mirror.requests.length;
    const { ctx, terraform } = await job();
    expect(ctx.log.lines).toContain(`providers: restored from the Actions cache (${entry.key}).`);
    const log = ctx.log.lines.join('\n');
    expect(log).toContain(
      `warning: registry.terraform.io/hashicorp/google 6.50.0: the kept zip ${entry.paths[0]} has SHA-256`
    );
    expect(log).toContain(`gh cache delete ${entry.key}`);
    expect(providerFetches(downloadsSince(before))).toEqual(ALL_PROVIDER_FETCHES);
    // Terraform installed the genuine package, never the planted bytes.
    expect(terraform?.google).toEqual(
      providerPackage('registry.terraform.io/hashicorp/google', '6.50.0')
    );
  });

  it('an entry that would write into the workspace is refused whole', async () => {
    const entry = entryNamed(`chart ${CHART}`);
    const mainTf = path.join(moduleDir, 'cluster.tf');
    const committed = readFileSync(mainTf, 'utf8');
    await plantEntry(entry.key, entry.paths, {
      [entry.paths[0]!]: 'not a chart',
      [mainTf]: 'resource "null_resource" "planted" {}\n'
    });
    writeFileSync(mainTf, committed); // plantEntry removed it after packing
    const ctx = jobContext();
    await (toolsPhase(ctx.inputs).steps(ctx.state)[0] as TaskStep).run(ctx);
    expect(readFileSync(mainTf, 'utf8')).toBe(committed);
    expect(existsSync(entry.paths[0]!)).toBe(false);
    expect(ctx.log.lines.join('\n')).toContain(`the Actions cache entry ${entry.key} is not used`);
  });

  it('another key that merely starts with ours is not taken (the service matches prefixes)', async () => {
    const entry = entryNamed(`terraform ${TF}`);
    await plantEntry(`${entry.key}-x`, entry.paths, { [entry.paths[0]!]: 'planted' });
    const ctx = jobContext();
    await (toolsPhase(ctx.inputs).steps(ctx.state)[0] as TaskStep).run(ctx);
    expect(existsSync(entry.paths[0]!)).toBe(false);
    expect(ctx.log.lines).toContain(
      `terraform ${TF}: not in the Actions cache yet (${entry.key}).`
    );
  });
});

describe('when the cache service fails', () => {
  it('a service that is down is a warning: everything is downloaded and the run goes on', async () => {
    const closed = await CacheServer.start();
    const down = closed.env();
    await closed.close();
    const previous = { ...process.env };
    Object.assign(process.env, down);
    try {
      const before = mirror.requests.length;
      const { ctx, post } = await job({ env: down });
      expect(ctx.log.lines.join('\n')).toContain('warning: The Actions cache could not be read');
      expect(downloadsSince(before).length).toBeGreaterThanOrEqual(5);
      expect(ctx.state.tools.terraform?.source).toBe('mirror');
      expect(post.length).toBeGreaterThan(0);
      for (const line of post)
        expect(line).toMatch(/^warning: .* was not saved to the Actions cache/);
    } finally {
      process.env = previous;
    }
  });

  it('a save race (another job saved the key first) is a warning', async () => {
    cacheServer = await CacheServer.start();
    servers.push(cacheServer);
    Object.assign(process.env, cacheServer.env());
    const ctx = jobContext();
    await (toolsPhase(ctx.inputs).steps(ctx.state)[0] as TaskStep).run(ctx);
    await installTools(ctx);
    const entry = hostedEntries().find((e) => e.name === `helm ${HELM}`)!;
    cacheServer.plant(
      entry.key,
      getCacheVersion([...entry.paths], await getCompressionMethod(), false),
      Buffer.from('saved by another job')
    );
    const post: string[] = [];
    await saveHostedCaches({
      getState: (name) =>
        name === HOSTED_CACHE_STATE ? JSON.stringify(ctx.state.hostedCache) : '[]',
      env: ctx.env,
      service: actionsCacheService(process.env),
      info: (m) => post.push(m),
      warning: (m) => post.push(`warning: ${m}`)
    });
    expect(post).toContain(
      `warning: helm ${HELM} was not saved to the Actions cache (${entry.key}): the cache service did not take it (another job may have saved this key first, or the service is unavailable; see the messages above).`
    );
    expect(post).toContain(
      `terraform ${TF}: saved to the Actions cache (${entryNamed(`terraform ${TF}`).key}).`
    );
  });

  const entryNamed = (name: string) => hostedEntries().find((e) => e.name === name)!;
});

describe('the loopback cache service refuses what the real one refuses', () => {
  let server: CacheServer;
  const call = async (method: string, body: unknown, token = server.token) => {
    const response = await fetch(
      `${server.url}/twirp/github.actions.results.api.v1.CacheService/${method}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body)
      }
    );
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  beforeAll(async () => {
    server = await CacheServer.start();
    servers.push(server);
  });

  it('a wrong token, a key over 512 characters or with a comma, no version', async () => {
    expect((await call('CreateCacheEntry', { key: 'k', version: 'v' }, 'other')).status).toBe(401);
    expect((await call('CreateCacheEntry', { key: 'k'.repeat(513), version: 'v' })).status).toBe(
      400
    );
    expect((await call('CreateCacheEntry', { key: 'a,b', version: 'v' })).status).toBe(400);
    expect((await call('CreateCacheEntry', { key: 'k' })).status).toBe(400);
  });

  it('a second create of the same key and version, a finalize with nothing uploaded', async () => {
    const created = await call('CreateCacheEntry', { key: 'k1', version: 'v1' });
    expect(created.body.ok).toBe(true);
    expect((await call('CreateCacheEntry', { key: 'k1', version: 'v1' })).body.code).toBe(
      'already_exists'
    );
    const finalize = await call('FinalizeCacheEntryUpload', {
      key: 'k1',
      version: 'v1',
      size_bytes: '3'
    });
    expect(finalize.body.code).toBe('failed_precondition');
    expect(
      (await call('FinalizeCacheEntryUpload', { key: 'never', version: 'v1', size_bytes: '3' }))
        .status
    ).toBe(404);
    // Uploaded, but finalized with another size.
    const put = await fetch(String(created.body.signedUploadUrl), {
      method: 'PUT',
      headers: { 'x-ms-blob-type': 'BlockBlob' },
      body: 'abc'
    });
    expect(put.status).toBe(201);
    expect(
      (await call('FinalizeCacheEntryUpload', { key: 'k1', version: 'v1', size_bytes: '4' })).status
    ).toBe(400);
    expect(
      (await call('FinalizeCacheEntryUpload', { key: 'k1', version: 'v1', size_bytes: '3' })).body
    ).toEqual({ ok: true, entryId: expect.any(String) });
    // Finalized entries are immutable: no more uploads to its URL.
    const again = await fetch(String(created.body.signedUploadUrl), {
      method: 'PUT',
      headers: { 'x-ms-blob-type': 'BlockBlob' },
      body: 'xyz'
    });
    expect(again.status).toBe(409);
  });

  it('a lookup of another version is a miss; an unsigned download URL is refused', async () => {
    expect((await call('GetCacheEntryDownloadURL', { key: 'k1', version: 'v2' })).body.ok).toBe(
      false
    );
    const hit = await call('GetCacheEntryDownloadURL', { key: 'k1', version: 'v1' });
    expect(hit.body).toMatchObject({ ok: true, matchedKey: 'k1' });
    const url = String(hit.body.signedDownloadUrl);
    expect(await (await fetch(url)).text()).toBe('abc');
    expect((await fetch(url.replace(/sig=[0-9a-f]+/, 'sig=00'))).status).toBe(403);
  });
});
