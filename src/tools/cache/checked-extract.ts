/**
 * Unpacks a restored cache archive only where this run expects it. @actions/cache's own restore
 * runs `tar -xf -P` in the workspace, which writes every member wherever its name points, so a
 * cache entry written by anyone else with the job's cache token (a workflow on the default
 * branch) could replace the checked-out module, the action's own code or anything in HOME. Here
 * every member is checked first: regular files and folders only, each one of the entry's paths
 * or inside one of its folders, no links, devices or special bits. One member out of place and
 * nothing at all is written. What is written is then verified by its pin when it is used.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, createReadStream, createWriteStream, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Transform } from 'node:stream';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import { extract } from 'tar-stream';
import type { CacheEntry } from './entries.js';
import { moveFile } from '../move-file.js';

export type Compression = 'gzip' | 'zstd';

export class UnexpectedMember extends Error {}

/** Where a member may go: one of the entry's files, or inside (or being) one of its folders. */
function allowed(entry: CacheEntry, target: string, isFolder: boolean): boolean {
  if (!entry.folders) {
    if (isFolder) return entry.paths.some((p) => p.startsWith(`${target}${path.sep}`));
    return entry.paths.includes(target);
  }
  return entry.paths.some(
    (p) =>
      target === p ||
      target.startsWith(`${p}${path.sep}`) ||
      (isFolder && p.startsWith(`${target}${path.sep}`))
  );
}

function decompressor(compression: Compression): Transform {
  // @actions/cache compresses with zstd without --long, so the default window suffices.
  return compression === 'gzip' ? createGunzip() : createZstdDecompress();
}

/**
 * Unpacks `archive` (member names relative to `workspace`, as @actions/cache writes them) into
 * the entry's paths, staging every file in `scratch` until the whole archive has been read.
 * Returns the number of files written; throws UnexpectedMember, naming it, when one is refused.
 */
export async function extractChecked(
  archive: string,
  compression: Compression,
  entry: CacheEntry,
  workspace: string,
  scratch: string
): Promise<number> {
  const staged: { from: string; to: string; mode: number }[] = [];
  const folders: string[] = [];
  const stage = path.join(scratch, `staged-${randomUUID()}`);
  mkdirSync(stage, { recursive: true });
  try {
    const reader = extract();
    reader.on('entry', (header, stream, next) => {
      const target = path.resolve(workspace, header.name);
      const isFolder = header.type === 'directory';
      const kind =
        header.type === 'file' || header.type === 'contiguous-file' ? 'file' : header.type;
      if ((kind !== 'file' && !isFolder) || !allowed(entry, target, isFolder)) {
        stream.resume();
        reader.destroy(
          new UnexpectedMember(
            `it holds ${header.type} ${header.name}, which is not where the action keeps ${entry.name}`
          )
        );
        return;
      }
      if (isFolder) {
        folders.push(target);
        stream.on('end', next).resume();
        return;
      }
      const from = path.join(stage, String(staged.length));
      // Owner read/write, and execute where the file had it (provider binaries); nothing else.
      staged.push({ from, to: target, mode: (header.mode ?? 0o644) & 0o100 ? 0o755 : 0o644 });
      stream.pipe(createWriteStream(from)).on('finish', next).on('error', next);
    });
    await pipeline(createReadStream(archive), decompressor(compression), reader);
    for (const folder of folders) mkdirSync(folder, { recursive: true });
    for (const file of staged) {
      mkdirSync(path.dirname(file.to), { recursive: true });
      moveFile(file.from, file.to);
      chmodSync(file.to, file.mode);
    }
    return staged.length;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}
