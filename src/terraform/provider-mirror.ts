/**
 * The locked providers' release zips, kept in Terraform's filesystem mirror "packed layout", so
 * init takes them from disk instead of the registry. Pure: paths, the lock file's providers and
 * the CLI configuration text; provider-fill.ts does the file work.
 *
 * Why zips: a lock file's `zh:` hashes are the SHA-256 of each platform's release zip (the
 * "ziphash" scheme), and Terraform checks a packed local archive against them
 * (hashicorp/terraform internal/getproviders/hash.go, PackageMatchesAnyHash: a `zh:` hash matches
 * only a PackageLocalArchive; internal/providercache/package_install.go, installFromLocalArchive).
 * So the committed lock file alone decides whether a kept zip may be used; nothing from a cache
 * vouches for itself. An unpacked folder, by contrast, passes a `zh:`-only lock file unchecked
 * (installFromLocalDir treats all-`zh:` hashes as none), which is why the folder Terraform reads
 * is one this run fills with verified copies, never the shared store.
 *
 * Packed layout: MIRROR/HOSTNAME/NAMESPACE/TYPE/terraform-provider-TYPE_VERSION_OS_ARCH.zip
 * (Terraform CLI configuration, "filesystem_mirror":
 * https://developer.hashicorp.com/terraform/cli/config/config-file#filesystem_mirror; the file name
 * as getproviders.PackedFilePathForPackage builds it in internal/getproviders/filesystem_search.go).
 * The `provider_installation` block with a `filesystem_mirror` for the locked addresses and
 * `direct` for the rest is documented at
 * https://developer.hashicorp.com/terraform/cli/config/config-file#provider-installation.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface LockedProvider {
  /** `registry.terraform.io/hashicorp/google` */
  readonly address: string;
  readonly host: string;
  readonly namespace: string;
  readonly type: string;
  readonly version: string;
  /** The committed lock file's `zh:` hashes for this provider, as hex (all platforms). */
  readonly zipHashes: readonly string[];
}

/** The providers a lock file selects, with their `zh:` hashes (h1: lines are left out). */
export function lockedProviders(lockText: string): LockedProvider[] {
  return [...lockText.matchAll(/provider "([^"]+)" \{([\s\S]*?)\n\}/g)].flatMap((m) => {
    const address = m[1]!;
    const version = /version\s*=\s*"([^"]+)"/.exec(m[2]!)?.[1];
    const parts = address.split('/');
    if (!version || parts.length !== 3) return [];
    const [host, namespace, type] = parts as [string, string, string];
    const zipHashes = [...m[2]!.matchAll(/"zh:([0-9a-f]{64})"/g)].map((h) => h[1]!);
    return [{ address, host, namespace, type, version, zipHashes }];
  });
}

/** The registry this action downloads zips from; another host needs service discovery first. */
export const PUBLIC_REGISTRY = 'registry.terraform.io';

/** A provider whose zip this action can fetch and check: on the public registry, with zh: hashes. */
export const mirrorable = (p: LockedProvider) =>
  p.host === PUBLIC_REGISTRY && p.zipHashes.length > 0;

/** Where verified zips are kept between runs (and what the hosted cache saves). */
export function providerStoreDir(toolCache: string): string {
  return path.join(toolCache, 'flyte-gke-terraform', 'provider-zips');
}

/** The packed-layout path of a provider's zip for `platform` (`linux_amd64`) under `root`. */
export function packedZipPath(root: string, p: LockedProvider, platform: string): string {
  return path.join(
    root,
    p.host,
    p.namespace,
    p.type,
    `terraform-provider-${p.type}_${p.version}_${platform}.zip`
  );
}

/** This run's folder: the mirror Terraform reads and the CLI configuration naming it. */
export function providerRunFiles(workDir: string): {
  dir: string;
  mirror: string;
  cliConfig: string;
} {
  const dir = path.join(workDir, 'terraform-providers');
  return { dir, mirror: path.join(dir, 'mirror'), cliConfig: path.join(dir, 'cli.tfrc') };
}

/** A quoted HCL string, or undefined for characters we will not put in one (quotes, templates). */
function hclString(value: string): string | undefined {
  return /["\\\n]|\$\{|%\{/.test(value) ? undefined : `"${value}"`;
}

/**
 * The CLI configuration: the mirror for `addresses`, the registry for everything else. Returns
 * undefined when the mirror path cannot be written as a plain HCL string.
 */
export function cliConfigText(mirror: string, addresses: readonly string[]): string | undefined {
  const at = hclString(mirror);
  if (!at) return undefined;
  const list = addresses.map((a) => `"${a}"`).join(', ');
  return [
    '# Written by flyte-gke-action for this run: the locked providers from verified zips.',
    'provider_installation {',
    '  filesystem_mirror {',
    `    path    = ${at}`,
    `    include = [${list}]`,
    '  }',
    '  direct {',
    `    exclude = [${list}]`,
    '  }',
    '}',
    ''
  ].join('\n');
}

/**
 * Why the job's own Terraform CLI configuration must be left alone, or undefined. Terraform reads
 * TF_CLI_CONFIG_FILE (or the older TERRAFORM_CONFIG) instead of ~/.terraformrc, so pointing it
 * elsewhere would drop a user's credentials or mirrors; and it merges ~/.terraform.d/*.tfrc, where
 * a second provider_installation block is an error ("No more than one provider_installation
 * block may be specified"; hashicorp/terraform internal/command/cliconfig/cliconfig.go).
 */
export function ownCliConfig(env: NodeJS.ProcessEnv): string | undefined {
  for (const name of ['TF_CLI_CONFIG_FILE', 'TERRAFORM_CONFIG']) {
    if (env[name]) return `the job sets ${name}, so its own Terraform CLI configuration decides`;
  }
  const home = env.HOME || os.homedir();
  const rc = path.join(home, '.terraformrc');
  if (existsSync(rc)) {
    return `${rc} exists, and a CLI configuration of the action's own would hide it from Terraform`;
  }
  const dir = path.join(home, '.terraform.d');
  if (existsSync(dir)) {
    const named = readdirSync(dir).find(
      (f) =>
        /\.tfrc(\.json)?$/.test(f) &&
        readFileSync(path.join(dir, f), 'utf8').includes('provider_installation')
    );
    if (named) return `${path.join(dir, named)} has its own provider_installation block`;
  }
  return undefined;
}
