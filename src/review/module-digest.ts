/**
 * Digests of the Terraform code a plan ran: every file of the module folder (its .tf files and
 * whatever they read with file() or templatefile()) with the var file, and, apart, the lock file
 * that pins the providers. Taken before `terraform init`, which may add checksums to the lock
 * file, so the plan and the deploy hash the files as they were committed.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Inputs } from '../inputs.js';
import { LOCK_FILE } from '../terraform/provider-cache.js';
import { canonicalJson } from '../values/digest.js';

export interface ModuleDigests {
  /** sha256 over each file's path (relative to the module) and content. */
  readonly module: string;
  /** sha256 of the lock file; `none` when the module has none. */
  readonly lock: string;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** Terraform's own working folder and the lock file (hashed apart) are not the module's code. */
function moduleFiles(root: string, dir = root): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== '.terraform') files.push(...moduleFiles(root, full));
    } else if (entry.isFile() && !(dir === root && entry.name === LOCK_FILE)) {
      files.push(path.relative(root, full).split(path.sep).join('/'));
    }
  }
  return files.sort();
}

export function moduleDigests(
  inputs: Pick<Inputs, 'terraformDir' | 'terraformVarFile'>
): ModuleDigests {
  const dir = inputs.terraformDir;
  const files = moduleFiles(dir).map((file) => [file, sha256(readFileSync(path.join(dir, file)))]);
  const varFile = inputs.terraformVarFile ? sha256(readFileSync(inputs.terraformVarFile)) : null;
  const lockPath = path.join(dir, LOCK_FILE);
  return {
    module: sha256(canonicalJson({ files, varFile })),
    lock: existsSync(lockPath) ? sha256(readFileSync(lockPath)) : 'none'
  };
}
