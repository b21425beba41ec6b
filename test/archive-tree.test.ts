/**
 * A tool cache entry is trusted only as far as the pinned archive it was unpacked from: each
 * member is compared byte for byte with the entry's file. Archives here are made by the system's
 * tar and zip, and unpacked by them too, as @actions/tool-cache does.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { checkEntry, type ArchiveKind } from '../src/tools/pins/archive-tree.js';

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
/** What differs, the archive's own digest given as its pin. */
const treeMismatch = async (
  archive: string,
  kind: ArchiveKind,
  root: string,
  allowExtra: boolean,
  fileName?: string
) => (await checkEntry(archive, kind, root, allowExtra, sha256(archive), fileName)).mismatch;

let dir: string;
let source: string;
let entry: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'archive-tree-'));
  source = path.join(dir, 'source');
  entry = path.join(dir, 'entry');
  mkdirSync(path.join(source, 'bin'), { recursive: true });
  writeFileSync(path.join(source, 'bin', 'tool'), 'the genuine binary\n', { mode: 0o755 });
  writeFileSync(path.join(source, 'LICENSE'), 'licence text\n');
  symlinkSync('bin/tool', path.join(source, 'tool-link'));
  mkdirSync(entry);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The archive of `source` and the entry unpacked from it. */
function pack(kind: Exclude<ArchiveKind, 'file'>): string {
  const archive = path.join(dir, kind === 'zip' ? 'tool.zip' : 'tool.tar.gz');
  if (kind === 'zip') {
    // HashiCorp's zips hold no links; `unzip -p` gives a link's target as its content.
    rmSync(path.join(source, 'tool-link'));
    execFileSync('zip', ['-q', '-r', archive, '.'], { cwd: source });
    execFileSync('unzip', ['-q', archive, '-d', entry]);
  } else {
    execFileSync('tar', ['czf', archive, '-C', source, '.']);
    execFileSync('tar', ['xzf', archive, '-C', entry]);
  }
  return archive;
}

describe.each(['tar.gz', 'zip'] as const)('an entry unpacked from a %s', (kind) => {
  it('matches its archive, read once for its digest too', async () => {
    const archive = pack(kind);
    expect(await checkEntry(archive, kind, entry, false, sha256(archive))).toEqual({
      sha256: sha256(archive),
      mismatch: undefined
    });
  });

  it('with one byte changed (same size) differs', async () => {
    const archive = pack(kind);
    writeFileSync(path.join(entry, 'bin', 'tool'), 'the genuine binarY\n');
    expect(await treeMismatch(archive, kind, entry, false)).toBe(
      'bin/tool differs from the archive'
    );
  });

  it('whose file is a link to a genuine copy elsewhere differs', async () => {
    const archive = pack(kind);
    rmSync(path.join(entry, 'bin', 'tool'));
    symlinkSync(path.join(source, 'bin', 'tool'), path.join(entry, 'bin', 'tool'));
    expect(await treeMismatch(archive, kind, entry, false)).toBe(
      'bin/tool differs from the archive'
    );
  });

  it('with a file missing, or one added, does not match', async () => {
    const archive = pack(kind);
    writeFileSync(path.join(entry, 'bin', 'extra'), 'planted\n');
    expect(await treeMismatch(archive, kind, entry, false)).toBe('bin/extra is not in the archive');
    expect(await treeMismatch(archive, kind, entry, true)).toBeUndefined();
    rmSync(path.join(entry, 'LICENSE'));
    expect(await treeMismatch(archive, kind, entry, true)).toBe(
      'LICENSE is in the archive but missing'
    );
  });
});

it('an entry from a tar.gz whose link points elsewhere differs', async () => {
  const archive = pack('tar.gz');
  rmSync(path.join(entry, 'tool-link'));
  symlinkSync('/usr/bin/env', path.join(entry, 'tool-link'));
  expect(await treeMismatch(archive, 'tar.gz', entry, false)).toBe(
    'tool-link differs from the archive'
  );
});

it('a tar with a member twice is judged by the later one, as unpacking leaves it', async () => {
  const tar = path.join(dir, 'tool.tar');
  execFileSync('tar', ['cf', tar, '-C', source, './bin/tool']);
  writeFileSync(path.join(source, 'bin', 'tool'), 'the later binary\n');
  execFileSync('tar', ['rf', tar, '-C', source, './bin/tool']);
  execFileSync('gzip', [tar]);
  execFileSync('tar', ['xzf', `${tar}.gz`, '-C', entry]);
  expect(await treeMismatch(`${tar}.gz`, 'tar.gz', entry, false)).toBeUndefined();
});

it('a single-file download matches only the same bytes', async () => {
  const binary = path.join(dir, 'kubectl');
  writeFileSync(binary, 'kubectl bytes\n');
  writeFileSync(path.join(entry, 'kubectl'), 'kubectl bytes\n');
  expect(await checkEntry(binary, 'file', entry, false, sha256(binary), 'kubectl')).toEqual({
    sha256: sha256(binary),
    mismatch: undefined
  });
  appendFileSync(path.join(entry, 'kubectl'), '#');
  expect(await treeMismatch(binary, 'file', entry, false, 'kubectl')).toBe(
    'kubectl differs from the archive'
  );
});

it('a large member is compared across chunks: one byte changed in the middle, or a short file, differs', async () => {
  const big = randomBytes(3 * 1024 * 1024 + 17);
  writeFileSync(path.join(source, 'bin', 'tool'), big);
  const archive = pack('tar.gz');
  expect(await treeMismatch(archive, 'tar.gz', entry, false)).toBeUndefined();
  const changed = Buffer.from(big);
  changed[1_500_000] = changed[1_500_000]! ^ 1;
  writeFileSync(path.join(entry, 'bin', 'tool'), changed);
  expect(await treeMismatch(archive, 'tar.gz', entry, false)).toBe(
    'bin/tool differs from the archive'
  );
  writeFileSync(path.join(entry, 'bin', 'tool'), big.subarray(0, big.length - 1));
  expect(await treeMismatch(archive, 'tar.gz', entry, false)).toBe(
    'bin/tool differs from the archive'
  );
});

it('an archive that is not the pinned one is only hashed, never parsed', async () => {
  // Not gzip at all: parsing it would throw; a planted archive gets no further than its digest.
  const planted = path.join(dir, 'planted.tar.gz');
  writeFileSync(planted, 'not an archive');
  const pinned = 'a'.repeat(64);
  expect(await checkEntry(planted, 'tar.gz', entry, false, pinned)).toEqual({
    sha256: sha256(planted),
    mismatch: undefined
  });
  await expect(checkEntry(planted, 'tar.gz', entry, false, sha256(planted))).rejects.toThrow();
});
