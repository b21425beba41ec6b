// world.json, the stand-ins' model of the cloud, shared by every stand-in process and the
// harness's loopback Google APIs in the test process. Several of them run at once (a read-ahead
// kubectl beside a planning terraform, a REST bucket write beside both), so a write never replaces
// the file with the world its writer read earlier: under an exclusive lock it re-reads the file and
// applies only what the writer changed. Each write is a rename, so a reader never sees half a file.
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs';
import path from 'node:path';

const LOCK_WAIT_MS = 10_000;
// A writer holds the lock for one read and one write; one older than this was killed inside it.
const STALE_LOCK_MS = 5_000;
const pause = new Int32Array(new SharedArrayBuffer(4));

export function worldFileIn(dir) {
  return path.join(dir, 'world.json');
}

/** The world as last written ({} before anything was). */
export function readWorld(dir) {
  return readJsonFile(worldFileIn(dir));
}

/** Runs `change` on the current world under the lock and writes what it leaves. */
export function updateWorld(dir, change) {
  return updateJsonFile(worldFileIn(dir), change);
}

/** A JSON file shared by processes ({} before it exists). */
export function readJsonFile(file) {
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
}

/** Runs `change` on the file's current value under its lock; writes it back if it changed. */
export function updateJsonFile(file, change) {
  return withLock(`${file}.lock`, () => {
    const value = readJsonFile(file);
    const before = JSON.stringify(value);
    const result = change(value);
    if (JSON.stringify(value) !== before) writeJsonFile(file, value);
    return result;
  });
}

/** Replaces the file by a rename, so a reader never sees half of it. */
export function writeJsonFile(file, value) {
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temp, JSON.stringify(value, null, 2));
  renameSync(temp, file);
}

/**
 * Writes what changed from `base` (the world as this writer found it) to `next` (as it leaves
 * it) over whatever the world holds now, so another writer's changes in between are kept.
 */
export function commitWorld(dir, base, next) {
  updateWorld(dir, (world) => applyChanges(world, base, next));
}

/** Applies base→next onto target, key by key; objects are merged, anything else replaced. */
export function applyChanges(target, base, next) {
  for (const key of new Set([...Object.keys(base ?? {}), ...Object.keys(next ?? {})])) {
    const was = base?.[key];
    const now = next?.[key];
    if (JSON.stringify(was) === JSON.stringify(now)) continue;
    if (now === undefined) delete target[key];
    else if (isPlainObject(now) && isPlainObject(was) && isPlainObject(target[key]))
      applyChanges(target[key], was, now);
    else target[key] = JSON.parse(JSON.stringify(now));
  }
  return target;
}

const isPlainObject = (value) =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function withLock(lockFile, body) {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      closeSync(openSync(lockFile, 'wx'));
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      if (lockAge(lockFile) > STALE_LOCK_MS) rmSync(lockFile, { force: true });
      else if (Date.now() > deadline)
        throw new Error(`world.json: ${lockFile} held for over ${LOCK_WAIT_MS} ms`);
      else Atomics.wait(pause, 0, 0, 2);
    }
  }
  try {
    return body();
  } finally {
    rmSync(lockFile, { force: true });
  }
}

function lockAge(lockFile) {
  try {
    return Date.now() - statSync(lockFile).mtimeMs;
  } catch {
    return 0;
  }
}
