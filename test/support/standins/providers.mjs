// How `terraform init` installs the providers the dependency lock file selects, as far as speed
// and safety go: a cache entry (TF_PLUGIN_CACHE_DIR) is used only when the lock file holds its
// h1: checksum (terraform cannot check a cache folder against zh:, the registry's zip hashes);
// otherwise the package comes from the installation methods of the CLI configuration
// (TF_CLI_CONFIG_FILE's provider_installation): a filesystem_mirror is searched for the packed
// layout's exact file name (HOST/NS/TYPE/terraform-provider-TYPE_VERSION_OS_ARCH.zip), a
// provider `direct` excludes never reaches the registry; without a configuration, from the
// registry (here the loopback FLYTE_STANDIN_REGISTRY). The zip is checked against the lock's
// hashes, unpacked into the cache and the data folder, and its h1: checksum is added to the lock
// file. Error texts are terraform's (internal/command/init.go, internal/getproviders/errors.go,
// internal/providercache/package_install.go).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const PLATFORM = 'linux_amd64';

/** The providers a lock file selects: address, version and the hashes it records. */
export function lockedProviders(text) {
  return [...text.matchAll(/provider "([^"]+)" \{([\s\S]*?)\n\}/g)].map((m) => ({
    address: m[1],
    version: /version\s*=\s*"([^"]+)"/.exec(m[2])?.[1],
    hashes: [...m[2].matchAll(/"((?:h1|zh):[^"]+)"/g)].map((h) => h[1])
  }));
}

/** Go's dirhash Hash1 (what terraform records as h1:) over a folder's files. */
export function hash1(dir) {
  const files = [];
  const walk = (at, rel) => {
    for (const name of readdirSync(at, { withFileTypes: true })) {
      if (name.isDirectory()) walk(path.join(at, name.name), `${rel}${name.name}/`);
      else files.push(`${rel}${name.name}`);
    }
  };
  walk(dir, '');
  const summary = files
    .sort()
    .map(
      (f) =>
        `${createHash('sha256')
          .update(readFileSync(path.join(dir, f)))
          .digest('hex')}  ${f}\n`
    )
    .join('');
  return `h1:${createHash('sha256').update(summary).digest('base64')}`;
}

/** Adds h1 to a provider's hashes in the lock file text, sorted as terraform writes them. */
function addHash(text, address, h1) {
  return text.replace(
    new RegExp(
      `(provider "${address.replace(/[./]/g, '\\$&')}" \\{[\\s\\S]*?hashes = \\[\\n)([\\s\\S]*?)(\\s*\\])`
    ),
    (_, head, list, tail) => {
      const hashes = [...list.matchAll(/"([^"]+)"/g)].map((h) => h[1]);
      const all = [...new Set([...hashes, h1])].sort();
      return `${head}${all.map((h) => `    "${h}",`).join('\n')}${tail}`;
    }
  );
}

/** provider_installation from TF_CLI_CONFIG_FILE: the mirror's path and patterns, direct's excludes. */
export function providerInstallation(env) {
  if (!env.TF_CLI_CONFIG_FILE) return undefined;
  const text = readFileSync(env.TF_CLI_CONFIG_FILE, 'utf8');
  const block = (name) => new RegExp(`${name}\\s*\\{([^}]*)\\}`).exec(text)?.[1];
  const list = (body, key) =>
    [
      ...(new RegExp(`${key}\\s*=\\s*\\[([^\\]]*)\\]`).exec(body ?? '')?.[1] ?? '').matchAll(
        /"([^"]+)"/g
      )
    ].map((m) => (m[1].split('/').length === 2 ? `registry.terraform.io/${m[1]}` : m[1]));
  const mirror = block('filesystem_mirror');
  const direct = block('direct');
  if (mirror === undefined && direct === undefined) return undefined;
  return {
    mirror:
      mirror === undefined
        ? undefined
        : { path: /path\s*=\s*"([^"]+)"/.exec(mirror)?.[1], include: list(mirror, 'include') },
    direct: direct === undefined ? undefined : { exclude: list(direct, 'exclude') }
  };
}

const box = (lines) => `╷\n${lines.map((l) => `│ ${l}`.trimEnd()).join('\n')}\n╵\n`;

/** Go's dirhash Hash1 of what a zip unpacks to (the stand-in's package is its one executable). */
const zipHash1 = (zip, type, version) =>
  `h1:${createHash('sha256')
    .update(
      `${createHash('sha256').update(zip).digest('hex')}  terraform-provider-${type}_v${version}_x5\n`
    )
    .digest('base64')}`;

export async function installProviders(moduleDir, env) {
  const lockFile = path.join(moduleDir, '.terraform.lock.hcl');
  if (!existsSync(lockFile)) return { lines: [] };
  let lock = readFileSync(lockFile, 'utf8');
  const lines = [];
  const dataDir = env.TF_DATA_DIR ?? path.join(moduleDir, '.terraform');
  const methods = providerInstallation(env);
  for (const p of lockedProviders(lock)) {
    const [host, namespace, type] = p.address.split('/');
    const name = `${namespace}/${type}`;
    const cached = env.TF_PLUGIN_CACHE_DIR
      ? path.join(env.TF_PLUGIN_CACHE_DIR, p.address, p.version, PLATFORM)
      : undefined;
    const installed = path.join(dataDir, 'providers', p.address, p.version, PLATFORM);
    if (cached && existsSync(cached) && p.hashes.includes(hash1(cached))) {
      lines.push(`- Using ${name} v${p.version} from the shared cache directory`);
      copyFolder(cached, installed);
      continue;
    }
    const fromMirror = methods?.mirror?.include.includes(p.address)
      ? methods.mirror.path
      : undefined;
    const direct = !methods || (methods.direct && !methods.direct.exclude.includes(p.address));
    const notFound = (sources) =>
      box([
        'Error: Failed to query available provider packages',
        '',
        `Could not retrieve the list of available versions for provider ${name}: provider ${p.address} was not found in any of the search locations`,
        '',
        ...sources.map((s) => `  - ${s}`)
      ]);
    let zip;
    let signed;
    if (fromMirror) {
      // The packed layout only, by its exact name (the stand-in has no unpacked packages).
      const file = path.join(
        fromMirror,
        host,
        namespace,
        type,
        `terraform-provider-${type}_${p.version}_${PLATFORM}.zip`
      );
      if (!existsSync(file)) {
        if (!direct) return { error: notFound([fromMirror]) };
      } else {
        lines.push(`- Installing ${name} v${p.version}...`);
        zip = readFileSync(file);
        const zh = `zh:${createHash('sha256').update(zip).digest('hex')}`;
        if (!p.hashes.includes(zh) && !p.hashes.includes(zipHash1(zip, type, p.version))) {
          return {
            error: box([
              'Error: Failed to install provider',
              '',
              `Error while installing ${name} v${p.version}: the current package for ${p.address} ${p.version} doesn't match any of the checksums previously recorded in the dependency lock file; for more information: https://developer.hashicorp.com/terraform/language/files/dependency-lock#checksum-verification`
            ])
          };
        }
        signed = 'unauthenticated';
      }
    }
    if (!zip) {
      if (!direct) return { error: notFound(fromMirror ? [fromMirror] : []) };
      const registry = env.FLYTE_STANDIN_REGISTRY;
      if (!registry) {
        return {
          error: `╷\n│ Error: Failed to query available provider packages\n│ \n│ Could not retrieve the list of available versions for provider ${name}: could not connect to ${host}: dial tcp: lookup ${host}: no such host\n╵\n`
        };
      }
      lines.push(`- Installing ${name} v${p.version}...`);
      const meta = await (
        await fetch(
          `${registry}/${host}/v1/providers/${namespace}/${type}/${p.version}/download/linux/amd64`
        )
      ).json();
      zip = Buffer.from(await (await fetch(meta.download_url)).arrayBuffer());
      const zh = `zh:${createHash('sha256').update(zip).digest('hex')}`;
      if (!p.hashes.includes(zh)) {
        return {
          error: `╷\n│ Error: Failed to install provider\n│ \n│ Error while installing ${name} v${p.version}: the local package for ${p.address} ${p.version} doesn't match any of the checksums previously recorded in the dependency lock file (this might be because the available checksums are for packages targeting different platforms); for more information: https://developer.hashicorp.com/terraform/language/files/dependency-lock#checksum-verification\n╵\n`
        };
      }
      signed = 'signed by HashiCorp';
    }
    // "Unpacked": the package's one executable.
    for (const dir of [cached, installed].filter(Boolean)) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `terraform-provider-${type}_v${p.version}_x5`), zip);
    }
    lines.push(`- Installed ${name} v${p.version} (${signed})`);
    const h1 = hash1(installed);
    if (!p.hashes.includes(h1)) lock = addHash(lock, p.address, h1);
  }
  if (lock !== readFileSync(lockFile, 'utf8')) {
    writeFileSync(lockFile, lock);
    lines.push(
      'Terraform has made some changes to the provider dependency selections recorded\nin the .terraform.lock.hcl file. Review those changes and commit them to your\nversion control system if they represent changes you intended to make.'
    );
  }
  return { lines };
}

function copyFolder(from, to) {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from))
    writeFileSync(path.join(to, name), readFileSync(path.join(from, name)));
}
