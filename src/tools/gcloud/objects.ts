/** Single objects in the state bucket through `gcloud storage`: read, describe, write. */
import type { ExecResult } from '../../engine/types.js';

export const catObjectArgs = (url: string): string[] => ['storage', 'cat', url];
export const describeObjectArgs = (url: string): string[] => [
  'storage',
  'objects',
  'describe',
  url,
  '--format=json'
];
export const copyToObjectArgs = (file: string, url: string): string[] => [
  'storage',
  'cp',
  file,
  url
];

/** gcloud's answers for a missing object (cat: "matched no objects", describe: "not found: 404"). */
export function isObjectMissing(result: ExecResult): boolean {
  return (
    result.exitCode !== 0 &&
    /matched no objects|not found|404|NotFoundException/i.test(result.stderr)
  );
}

/**
 * Deletes the object only while it is still that generation: what Terraform's GCS backend does to
 * unlock (`If(GenerationMatch: ID).Delete`), so a lock taken anew in between is never removed.
 */
export const removeGenerationArgs = (url: string, generation: string): string[] => [
  'storage',
  'rm',
  url,
  `--if-generation-match=${generation}`
];
