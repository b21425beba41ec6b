/**
 * The Terraform registry's download API for the providers the bundled module locks, served by the
 * loopback mirror the stand-in terraform downloads from (FLYTE_STANDIN_REGISTRY), and a copy of
 * the module whose lock file records the stand-in packages' zip hashes, as the committed one
 * records the real packages' (versions unchanged).
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './project.js';
import { sha256, type Mirror, type RouteOptions } from './mirror.js';

/** Providers the bundled module's lock file selects. */
export function bundledProviders(): { address: string; version: string }[] {
  const text = readFileSync(path.join(PROJECT_ROOT, 'terraform', '.terraform.lock.hcl'), 'utf8');
  return [...text.matchAll(/provider "([^"]+)" \{\s*version\s*=\s*"([^"]+)"/g)].map((m) => ({
    address: m[1]!,
    version: m[2]!
  }));
}

/** Sizes (bytes) of stand-in packages by address, for the benchmark's real-size downloads. */
export type PackageSizes = Readonly<Record<string, number>>;

/**
 * A stand-in provider package (a zip in the registry; its bytes are what the model checks),
 * `size` bytes long when given.
 */
export function providerPackage(address: string, version: string, size?: number): Buffer {
  const line = Buffer.from(`stand-in package ${address} ${version} linux_amd64\n`);
  if (size === undefined) return Buffer.from(line.toString().repeat(64));
  const body = Buffer.alloc(size);
  for (let at = 0; at < size; at += line.length) line.copy(body, at);
  return body;
}

const zh = (body: Buffer) => `zh:${sha256(body)}`;

export function publishProviders(
  mirror: Mirror,
  options: RouteOptions = {},
  sizes: PackageSizes = {}
): void {
  for (const { address, version } of bundledProviders()) {
    const [host, namespace, type] = address.split('/');
    const file = `terraform-provider-${type}_${version}_linux_amd64.zip`;
    const download = `/releases.hashicorp.com/terraform-provider-${type}/${version}/${file}`;
    const body = providerPackage(address, version, sizes[address]);
    mirror.serve(
      `/${host}/v1/providers/${namespace}/${type}/${version}/download/linux/amd64`,
      JSON.stringify({
        os: 'linux',
        arch: 'amd64',
        filename: file,
        download_url: `${mirror.url}${download}`,
        shasum: zh(body).slice(3)
      }),
      options
    );
    mirror.serve(download, body, options);
  }
}

/**
 * Copies the bundled module to `dir` with a lock file for the stand-in packages: same providers
 * and versions, the zip hash of each stand-in package instead of the real ones.
 */
export function copyModuleForStandins(dir: string, sizes: PackageSizes = {}): void {
  cpSync(path.join(PROJECT_ROOT, 'terraform'), dir, { recursive: true });
  const lock = bundledProviders()
    .map(
      ({ address, version }) =>
        `provider "${address}" {\n  version = "${version}"\n  hashes = [\n    "${zh(providerPackage(address, version, sizes[address]))}",\n  ]\n}\n`
    )
    .join('\n');
  writeFileSync(path.join(dir, '.terraform.lock.hcl'), lock);
}

/**
 * The last path part of each provider request among `requests`, sorted: one registry lookup
 * (`.../download/linux/amd64`) and one zip per locked provider when all were fetched.
 */
export function providerFetches(requests: readonly { path: string }[]): string[] {
  return requests
    .filter((r) => r.path.includes('/v1/providers/') || r.path.includes('terraform-provider-'))
    .map((r) => r.path.split('/').pop() ?? '')
    .sort();
}

/** providerFetches() of a job that fetched every provider the bundled module locks. */
export const ALL_PROVIDER_FETCHES = [
  'amd64',
  'amd64',
  'terraform-provider-google_6.50.0_linux_amd64.zip',
  'terraform-provider-random_3.7.2_linux_amd64.zip'
];
