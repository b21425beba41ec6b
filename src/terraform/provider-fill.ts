/**
 * Before init: every locked provider's zip for this platform, checked against the committed lock
 * file's `zh:` hashes, in a filesystem mirror only this run can write, and a CLI configuration
 * that sends init there for exactly those providers (layout and reasons: provider-mirror.ts).
 *
 * The verified zips are kept in the tool cache (the store; on hosted runners the Actions cache
 * brings it back). A kept zip is copied into the run's mirror and the copy is hashed, so what
 * Terraform reads is what was checked; a kept zip whose hash is no `zh:` of the lock is deleted
 * and fetched again. A missing one is downloaded through the action's fetcher from the registry's
 * provider download endpoint (Terraform provider registry protocol, "Find a Provider Package":
 * GET :hostname/v1/providers/:namespace/:type/:version/download/:os/:arch answers `download_url`,
 * which may be relative to that request, and `shasum`, the zip's SHA-256;
 * https://developer.hashicorp.com/terraform/internals/provider-registry-protocol#find-a-provider-package).
 * Only registry.terraform.io is asked: another host needs service discovery, and Terraform installs
 * its providers itself. The registry's own shasum is only a shortcut; the lock file decides.
 *
 * Nothing here fails the run: a provider that cannot be verified is left to Terraform's own
 * install (`direct`), which checks it against the lock file as always.
 */
import { randomUUID } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync
} from 'node:fs';
import path from 'node:path';
import type { TaskContext } from '../engine/types.js';
import { runFetcher, type Fetcher } from '../tools/http.js';
import { sha256OfFile } from '../tools/pins/archive-tree.js';
import { fileSink } from '../tools/sinks.js';
import { LOCK_FILE, terraformPlatform } from './provider-cache.js';
import {
  cliConfigText,
  lockedProviders,
  mirrorable,
  ownCliConfig,
  packedZipPath,
  providerRunFiles,
  providerStoreDir,
  type LockedProvider
} from './provider-mirror.js';

/** Test-only: a loopback registry, laid out as tool-mirror is (base URL, then the host name). */
export const REGISTRY_ENV = 'FLYTE_GKE_TERRAFORM_REGISTRY';

type Got = 'kept' | 'downloaded' | undefined;

/** The run's step: its own fetcher, so it can run beside the tool installs. */
export async function mirrorLockedProviders(ctx: TaskContext): Promise<void> {
  const fetcher = runFetcher(ctx);
  try {
    await prepareProviderMirror(ctx, fetcher);
  } catch (error) {
    delete ctx.state.terraformCliConfig;
    ctx.log.warning(
      `The provider mirror was not prepared (${error instanceof Error ? error.message : String(error)}); terraform init installs the providers from the registry.`
    );
  } finally {
    fetcher.dispose();
  }
}

export async function prepareProviderMirror(ctx: TaskContext, fetcher: Fetcher): Promise<void> {
  const { toolCacheDir: toolCache, workDir } = ctx.state;
  const lockFile = path.join(ctx.inputs.terraformDir, LOCK_FILE);
  if (!toolCache || !workDir || !existsSync(lockFile)) return;
  const own = ownCliConfig(ctx.env);
  if (own) {
    ctx.log.info(`Providers are installed by Terraform as configured: ${own}.`);
    return;
  }
  // Read before init can add anything: the committed file is the trust anchor.
  const locked = lockedProviders(readFileSync(lockFile, 'utf8'));
  const platform = terraformPlatform();
  const run = providerRunFiles(workDir);
  rmSync(run.dir, { recursive: true, force: true });
  mkdirSync(run.mirror, { recursive: true, mode: 0o700 });
  chmodSync(run.dir, 0o700);
  ctx.registerCleanup(run.dir);
  const results = await Promise.all(
    locked.map(async (p) => {
      try {
        return [p, await provide(ctx, fetcher, p, toolCache, run.mirror, platform)] as const;
      } catch (error) {
        ctx.log.warning(
          `${p.address} ${p.version}: no verified zip (${error instanceof Error ? error.message : String(error)}); terraform init installs it from the registry.`
        );
        return [p, undefined] as const;
      }
    })
  );
  const ready = results.filter(([, got]) => got !== undefined);
  const config = cliConfigText(
    run.mirror,
    ready.map(([p]) => p.address)
  );
  if (ready.length === 0 || !config) return;
  writeFileSync(run.cliConfig, config, { mode: 0o600 });
  ctx.state.terraformCliConfig = run.cliConfig;
  for (const [p, got] of ready) {
    ctx.log.info(
      `${p.address} ${p.version} (${platform}): ${got === 'kept' ? 'the kept zip' : 'downloaded'}, its SHA-256 one of the committed lock file's zh: hashes; init takes it from ${run.mirror}.`
    );
  }
}

const matches = (p: LockedProvider, sha: string) => p.zipHashes.includes(sha);

/** Puts a verified copy of `p`'s zip in the run's mirror; says where it came from. */
async function provide(
  ctx: TaskContext,
  fetcher: Fetcher,
  p: LockedProvider,
  toolCache: string,
  mirror: string,
  platform: string
): Promise<Got> {
  if (!mirrorable(p)) {
    ctx.log.info(
      `${p.address}: not mirrored (only registry.terraform.io providers with zh: hashes in the lock file are); terraform init installs it.`
    );
    return undefined;
  }
  const kept = packedZipPath(providerStoreDir(toolCache), p, platform);
  const copy = packedZipPath(mirror, p, platform);
  if (existsSync(kept)) {
    const sha = await copyAndHash(kept, copy);
    if (matches(p, sha)) return 'kept';
    rmSync(copy, { force: true });
    rmSync(kept, { force: true });
    ctx.log.warning(
      `${p.address} ${p.version}: the kept zip ${kept} has SHA-256 ${sha}, which is none of the committed lock file's zh: hashes. Deleted; downloading it again.${cacheHint(ctx)}`
    );
  }
  await download(ctx, fetcher, p, kept, platform);
  const sha = await copyAndHash(kept, copy);
  if (matches(p, sha)) return 'downloaded';
  rmSync(copy, { force: true });
  throw new Error(`the zip at ${kept} changed after it was checked`);
}

/** Copies first, then hashes the copy: what Terraform reads is what was checked. */
async function copyAndHash(from: string, to: string): Promise<string> {
  mkdirSync(path.dirname(to), { recursive: true, mode: 0o700 });
  copyFileSync(from, to);
  return sha256OfFile(to);
}

async function download(
  ctx: TaskContext,
  fetcher: Fetcher,
  p: LockedProvider,
  dest: string,
  platform: string
): Promise<void> {
  const [os, arch] = platform.split('_');
  const base = ctx.env[REGISTRY_ENV]
    ? `${ctx.env[REGISTRY_ENV]!.replace(/\/+$/, '')}/${p.host}`
    : `https://${p.host}`;
  const metaUrl = `${base}/v1/providers/${p.namespace}/${p.type}/${p.version}/download/${os}/${arch}`;
  const meta = JSON.parse(await fetcher.text(metaUrl)) as {
    download_url?: unknown;
    shasum?: unknown;
  };
  if (typeof meta.download_url !== 'string') {
    throw new Error(`${metaUrl} answered no download_url`);
  }
  if (typeof meta.shasum === 'string' && !matches(p, meta.shasum)) {
    throw new Error(
      `the registry's shasum ${meta.shasum} is none of the committed lock file's zh: hashes`
    );
  }
  const url = new URL(meta.download_url, metaUrl).toString();
  mkdirSync(path.dirname(dest), { recursive: true });
  const staging = `${dest}.${randomUUID()}.part`;
  try {
    const { sha256 } = await fetcher.stream(url, () => fileSink(staging));
    if (!matches(p, sha256)) {
      throw new Error(
        `${url} has SHA-256 ${sha256}, which is none of the committed lock file's zh: hashes`
      );
    }
    renameSync(staging, dest);
  } finally {
    rmSync(staging, { force: true });
  }
}

/** Where a bad kept zip came from, when the Actions cache restored it this run. */
function cacheHint(ctx: TaskContext): string {
  const entry = ctx.state.hostedCache?.entries.find((e) => e.name === 'providers' && e.present);
  return entry
    ? ` It came back from the Actions cache entry ${entry.key}: delete that entry (gh cache delete ${entry.key}) so a good one can be saved.`
    : '';
}
