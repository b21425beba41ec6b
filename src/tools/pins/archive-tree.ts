/**
 * Checks a tool cache entry against the archive it was unpacked from, so that a cache entry is
 * trusted only as far as an archive whose digest is pinned: every file the archive holds must be
 * in the entry with the same content, and (unless `allowExtra`) the entry holds nothing else.
 * Returns what differs, or undefined when the entry matches.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';

/** `file`: a single executable downloaded as it is (kubectl), kept in the entry as `fileName`. */
export type ArchiveKind = 'zip' | 'tar.gz' | 'file';

/** Archive member path → SHA-256 of its content (`link:` and the target for symbolic links). */
type Listing = Map<string, string>;

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

export async function treeMismatch(
  archive: string,
  kind: ArchiveKind,
  root: string,
  allowExtra: boolean,
  fileName = 'file'
): Promise<string | undefined> {
  const expected =
    kind === 'zip'
      ? await zipListing(archive)
      : kind === 'tar.gz'
        ? await tarListing(archive)
        : new Map([[fileName, await sha256OfFile(archive)]]);
  for (const [member, digest] of expected) {
    const actual = entryDigest(path.join(root, member));
    if (actual !== digest)
      return `${member} ${actual ? 'differs from' : 'is missing from'} the archive`;
  }
  if (allowExtra) return undefined;
  const extra = listFiles(root).find((file) => !expected.has(file));
  return extra ? `${extra} is not in the archive` : undefined;
}

const clean = (name: string) => path.posix.normalize(name).replace(/^(\.\/)+/, '');

function entryDigest(file: string): string | undefined {
  try {
    const stat = lstatSync(file);
    if (stat.isSymbolicLink()) return `link:${readlinkSync(file)}`;
    if (!stat.isFile()) return undefined;
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return undefined;
  }
}

function listFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() || entry.isSymbolicLink())
    .map((entry) =>
      path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/')
    );
}

async function tarListing(archive: string): Promise<Listing> {
  const listing: Listing = new Map();
  const reader = extract();
  reader.on('entry', (header, stream, next) => {
    const name = clean(header.name);
    if (header.type === 'symlink') listing.set(name, `link:${header.linkname ?? ''}`);
    if (header.type !== 'file' && header.type !== 'contiguous-file') {
      stream.on('end', next).resume();
      return;
    }
    const hash = createHash('sha256');
    stream.on('data', (chunk: unknown) => hash.update(chunk as Buffer));
    stream.on('end', () => {
      listing.set(name, hash.digest('hex'));
      next();
    });
  });
  await pipeline(createReadStream(archive), createGunzip(), reader);
  return listing;
}

/** unzip is what @actions/tool-cache extracts zips with on Linux and macOS. */
async function zipListing(archive: string): Promise<Listing> {
  const names = (await unzip(['-Z1', archive])).toString('utf8').split('\n').filter(Boolean);
  const listing: Listing = new Map();
  for (const name of names.filter((n) => !n.endsWith('/'))) {
    const hash = createHash('sha256').update(await unzip(['-p', archive, name]));
    listing.set(clean(name), hash.digest('hex'));
  }
  return listing;
}

function unzip(args: readonly string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('unzip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(Buffer.concat(out))
        : reject(new Error(`unzip ${args[0]} exited with ${code}: ${err.trim()}`))
    );
  });
}
