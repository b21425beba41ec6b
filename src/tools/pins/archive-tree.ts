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

/** One member of the archive: a file's bytes, or a symbolic link's target. */
type Member =
  | { readonly name: string; readonly content: Buffer }
  | {
      readonly name: string;
      readonly link: string;
    };

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/**
 * The caller has checked the archive's digest; each member is then compared byte for byte with
 * the entry's file as the archive is read, so a warm use hashes nothing but the archive itself.
 */
export async function treeMismatch(
  archive: string,
  kind: ArchiveKind,
  root: string,
  allowExtra: boolean,
  fileName = 'file'
): Promise<string | undefined> {
  // By member name: a later member of the same name replaces an earlier one, as on unpacking.
  const problems = new Map<string, string | undefined>();
  const compare = (member: Member) => problems.set(member.name, memberProblem(root, member));
  if (kind === 'zip') await zipMembers(archive, compare);
  else if (kind === 'tar.gz') await tarMembers(archive, compare);
  else compare({ name: fileName, content: readFileSync(archive) });
  const problem = [...problems.values()].find((p) => p !== undefined);
  if (problem || allowExtra) return problem;
  const extra = listFiles(root).find((file) => !problems.has(file));
  return extra ? `${extra} is not in the archive` : undefined;
}

const clean = (name: string) => path.posix.normalize(name).replace(/^(\.\/)+/, '');

function memberProblem(root: string, member: Member): string | undefined {
  const file = path.join(root, member.name);
  let stat;
  try {
    stat = lstatSync(file);
  } catch {
    return `${member.name} is in the archive but missing`;
  }
  const differs = `${member.name} differs from the archive`;
  if ('link' in member) {
    return stat.isSymbolicLink() && readlinkSync(file) === member.link ? undefined : differs;
  }
  if (!stat.isFile() || stat.size !== member.content.length) return differs;
  return readFileSync(file).equals(member.content) ? undefined : differs;
}

function listFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() || entry.isSymbolicLink())
    .map((entry) =>
      path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/')
    );
}

async function tarMembers(archive: string, visit: (member: Member) => void): Promise<void> {
  const reader = extract();
  reader.on('entry', (header, stream, next) => {
    const name = clean(header.name);
    if (header.type === 'symlink') visit({ name, link: header.linkname ?? '' });
    if (header.type !== 'file' && header.type !== 'contiguous-file') {
      stream.on('end', next).resume();
      return;
    }
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
    stream.on('end', () => {
      visit({ name, content: Buffer.concat(chunks) });
      next();
    });
  });
  await pipeline(createReadStream(archive), createGunzip(), reader);
}

/** unzip is what @actions/tool-cache extracts zips with on Linux and macOS. */
async function zipMembers(archive: string, visit: (member: Member) => void): Promise<void> {
  const names = (await unzip(['-Z1', archive])).toString('utf8').split('\n').filter(Boolean);
  for (const name of names.filter((n) => !n.endsWith('/'))) {
    visit({ name: clean(name), content: await unzip(['-p', archive, name]) });
  }
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
