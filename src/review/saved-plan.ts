/**
 * A plan saved for a manual deploy: the binary plan file and a manifest of what was planned and
 * shown (the plan file's SHA-256, its fingerprint, the cluster and state it belongs to). The plan
 * job reports the manifest's SHA-256 as a job output, which no other job can change; the deploy
 * job refuses an artifact whose manifest or plan file does not match it, so a swapped artifact is
 * never applied. Neither file holds a secret: the database password is write-only and the OAuth
 * client secret never reaches Terraform (docs/workflows.md, "Manual deploy").
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Inputs } from '../inputs.js';
import type { PlanFingerprint } from './fingerprint.js';

export const MANIFEST_FILE = 'manifest.json';
export const SAVED_PLAN_FILE = 'flyte.tfplan';

export interface SavedPlanManifest {
  readonly format: 1;
  readonly projectId: string;
  readonly clusterName: string;
  readonly stateBucket: string;
  readonly statePrefix: string;
  /** SHA-256 of the plan file as `terraform plan -out` wrote it. */
  readonly planSha256: string;
  /** `terraform plan -detailed-exitcode` exited 2. */
  readonly planHasChanges: boolean;
  readonly fingerprint: PlanFingerprint;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

type Target = Pick<Inputs, 'projectId' | 'clusterName' | 'stateBucket' | 'statePrefix'>;

/** Writes the plan file and the manifest into `dir`; returns the manifest's digest. */
export function writeSavedPlan(
  dir: string,
  planBytes: Buffer,
  target: Target,
  planHasChanges: boolean,
  fingerprint: PlanFingerprint
): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(path.join(dir, SAVED_PLAN_FILE), planBytes, { mode: 0o600 });
  const manifest: SavedPlanManifest = {
    format: 1,
    projectId: target.projectId,
    clusterName: target.clusterName,
    stateBucket: target.stateBucket,
    statePrefix: target.statePrefix,
    planSha256: sha256(planBytes),
    planHasChanges,
    fingerprint
  };
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  writeFileSync(path.join(dir, MANIFEST_FILE), text, { mode: 0o600 });
  return sha256(text);
}

export type SavedPlanRead =
  | { readonly manifest: SavedPlanManifest; readonly planBytes: Buffer }
  | { readonly reason: string };

/**
 * Reads a saved plan and checks it against the digest the plan job reported and the cluster this
 * deploy is for. The plan bytes returned are the ones checked, so what is applied is what matched.
 */
export function readSavedPlan(dir: string, digest: string, target: Target): SavedPlanRead {
  const manifestPath = path.join(dir, MANIFEST_FILE);
  const planPath = path.join(dir, SAVED_PLAN_FILE);
  if (!existsSync(manifestPath) || !existsSync(planPath)) {
    return {
      reason: `${dir} holds no saved plan (${MANIFEST_FILE} and ${SAVED_PLAN_FILE}); download the artifact the plan job uploaded`
    };
  }
  const text = readFileSync(manifestPath);
  const found = sha256(text);
  if (found !== digest) {
    return {
      reason: `the saved plan's manifest has SHA-256 ${found.slice(0, 12)}, but the plan job reported ${digest.slice(0, 12)}: this is not the plan that job saved and showed`
    };
  }
  const manifest = JSON.parse(text.toString('utf8')) as SavedPlanManifest;
  const planBytes = readFileSync(planPath);
  const planDigest = sha256(planBytes);
  if (planDigest !== manifest.planSha256) {
    return {
      reason: `the plan file has SHA-256 ${planDigest.slice(0, 12)}, but its manifest records ${String(manifest.planSha256).slice(0, 12)}: the plan file was swapped`
    };
  }
  const mismatches = (['projectId', 'clusterName', 'stateBucket', 'statePrefix'] as const)
    .filter((key) => manifest[key] !== target[key])
    .map((key) => `${key} ${JSON.stringify(manifest[key])}, not ${JSON.stringify(target[key])}`);
  if (mismatches.length > 0) {
    return { reason: `the saved plan is for another cluster or state: ${mismatches.join(', ')}` };
  }
  return { manifest, planBytes };
}
