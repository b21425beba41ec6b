/**
 * Checks a tool cache entry against the archive it was unpacked from, so that a cache entry is
 * trusted only as far as an archive whose digest is pinned: every file the archive holds must be
 * in the entry with the same content, and (unless `allowExtra`) the entry holds nothing else.
 *
 * The archive's SHA-256 comes first, and nothing else reads an archive that does not match its
 * pin (a planted archive is never parsed). Then, as each member streams out, it is compared
 * byte for byte with the entry's file, read alongside in small chunks: nothing is hashed but the
 * archive, and no file is held whole in memory (large buffers cost more than hashing on a
 * runner's VM).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  lstatSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync
} from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';

/** `file`: a single executable downloaded as it is (kubectl), kept in the entry as `fileName`. */
export type ArchiveKind = 'zip' | 'tar.gz' | 'file';

export interface EntryCheck {
  /** The archive's SHA-256. */
  readonly sha256: string;
  /** What differs between the entry and the archive (only looked for when the digest is pinned). */
  readonly mismatch: string | undefined;
}

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/**
 * The archive's digest and, only when it is `pinned`, how the entry at `root` differs from it.
 */
export async function checkEntry(
  archive: string,
  kind: ArchiveKind,
  root: string,
  allowExtra: boolean,
  pinned: string,
  fileName = 'file'
): Promise<EntryCheck> {
  const sha256 = await sha256OfFile(archive);
  if (sha256 !== pinned) return { sha256, mismatch: undefined };
  // By member name: a later member of the same name replaces an earlier one, as on unpacking.
  const problems = new Map<string, string | undefined>();
  if (kind === 'zip') {
    await zipMembers(archive, root, problems);
  } else if (kind === 'tar.gz') {
    await pipeline(createReadStream(archive), createGunzip(), tarReader(root, problems));
  } else {
    const member = new SameBytes(root, fileName);
    for await (const chunk of createReadStream(archive)) member.update(chunk as Buffer);
    problems.set(fileName, member.end());
  }
  const problem = [...problems.values()].find((p) => p !== undefined);
  if (problem || allowExtra) return { sha256, mismatch: problem };
  const extra = listFiles(root).find((file) => !problems.has(file));
  return { sha256, mismatch: extra ? `${extra} is not in the archive` : undefined };
}

/** The entry's file, compared chunk by chunk with the member's bytes as they arrive. */
class SameBytes {
  private fd: number | undefined;
  private size = 0;
  private offset = 0;
  private problem: string | undefined;
  private scratch = Buffer.alloc(0);

  constructor(
    root: string,
    private readonly name: string
  ) {
    const file = path.join(root, name);
    try {
      const stat = lstatSync(file);
      if (!stat.isFile()) {
        this.problem = this.differs();
        return;
      }
      this.size = stat.size;
      this.fd = openSync(file, 'r');
    } catch {
      this.problem = `${name} is in the archive but missing`;
    }
  }

  update(chunk: Buffer): void {
    if (this.problem || this.fd === undefined) return;
    if (this.scratch.length < chunk.length) this.scratch = Buffer.allocUnsafe(chunk.length);
    const read = readSync(this.fd, this.scratch, 0, chunk.length, this.offset);
    this.offset += read;
    if (read !== chunk.length || !this.scratch.subarray(0, read).equals(chunk)) {
      this.problem = this.differs();
    }
  }

  /** What differs, once the member has ended. */
  end(): string | undefined {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    if (!this.problem && this.offset !== this.size) this.problem = this.differs();
    return this.problem;
  }

  private differs(): string {
    return `${this.name} differs from the archive`;
  }
}

const clean = (name: string) => path.posix.normalize(name).replace(/^(\.\/)+/, '');

function linkProblem(root: string, name: string, target: string): string | undefined {
  const file = path.join(root, name);
  try {
    const stat = lstatSync(file);
    return stat.isSymbolicLink() && readlinkSync(file) === target
      ? undefined
      : `${name} differs from the archive`;
  } catch {
    return `${name} is in the archive but missing`;
  }
}

function listFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() || entry.isSymbolicLink())
    .map((entry) =>
      path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/')
    );
}

/** A tar reader that compares each member with the entry as it streams out. */
function tarReader(root: string, problems: Map<string, string | undefined>) {
  const reader = extract();
  reader.on('entry', (header, stream, next) => {
    const name = clean(header.name);
    if (header.type === 'symlink')
      problems.set(name, linkProblem(root, name, header.linkname ?? ''));
    if (header.type !== 'file' && header.type !== 'contiguous-file') {
      stream.on('end', next).resume();
      return;
    }
    const member = new SameBytes(root, name);
    stream.on('data', (chunk: unknown) => member.update(chunk as Buffer));
    stream.on('end', () => {
      problems.set(name, member.end());
      next();
    });
  });
  return reader;
}

/** unzip is what @actions/tool-cache extracts zips with on Linux and macOS. */
async function zipMembers(
  archive: string,
  root: string,
  problems: Map<string, string | undefined>
): Promise<void> {
  const names = (await unzip(['-Z1', archive])).toString('utf8').split('\n').filter(Boolean);
  for (const name of names.filter((n) => !n.endsWith('/'))) {
    const member = new SameBytes(root, clean(name));
    await unzip(['-p', archive, name], (chunk) => member.update(chunk));
    problems.set(clean(name), member.end());
  }
}

/** Runs unzip; its output goes to `onData` when given, else it is the result. */
function unzip(args: readonly string[], onData?: (chunk: Buffer) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('unzip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (onData ? onData(chunk) : out.push(chunk)));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(Buffer.concat(out))
        : reject(new Error(`unzip ${args[0]} exited with ${code}: ${err.trim()}`))
    );
  });
}
