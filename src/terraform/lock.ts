/**
 * Recognises Terraform's "Error acquiring the state lock" and says who holds the lock and how to
 * release it if its holder died.
 */

export interface LockInfo {
  readonly id?: string;
  readonly path?: string;
  readonly who?: string;
  readonly operation?: string;
  readonly created?: string;
  readonly version?: string;
}

/** Terraform draws diagnostics in a box (`│ `) unless colours are off; accept both. */
function unboxed(text: string): string[] {
  return text.split(/\r?\n/).map((line) => line.replace(/^[\s│╷╵]*/u, '').trimEnd());
}

export function parseLockError(text: string): LockInfo | undefined {
  if (!/Error acquiring the state lock/i.test(text)) return undefined;
  const lines = unboxed(text);
  const start = lines.findIndex((l) => /^Lock Info:/i.test(l));
  const fields: Record<string, string> = {};
  if (start >= 0) {
    for (const line of lines.slice(start + 1)) {
      const match = /^([A-Za-z]+):\s*(.*)$/.exec(line);
      if (!match) break;
      fields[match[1]!.toLowerCase()] = match[2]!.trim();
    }
  }
  const info: Record<string, string> = {};
  for (const key of ['id', 'path', 'who', 'operation', 'created', 'version'] as const) {
    if (fields[key]) info[key] = fields[key];
  }
  return info as LockInfo;
}

/** `OperationTypeApply` → `apply`. */
function operationName(operation: string): string {
  return operation.replace(/^OperationType/, '').toLowerCase();
}

export function describeLock(info: LockInfo, moduleDir?: string): string {
  const holder = info.who ?? 'another Terraform run';
  const details = [
    info.operation ? `running ${operationName(info.operation)}` : undefined,
    info.created ? `since ${info.created}` : undefined,
    info.id ? `lock ID ${info.id}` : undefined
  ].filter(Boolean);
  const unlock = info.id
    ? `terraform force-unlock -force ${info.id}`
    : 'terraform force-unlock -force LOCK_ID';
  return [
    `The Terraform state is locked by ${holder}${details.length ? ` (${details.join(', ')})` : ''}.`,
    'Another run is probably changing this cluster: wait for it, and give workflows one concurrency group per cluster.',
    `If that run died, release the lock from the module folder${moduleDir ? ` (${moduleDir})` : ''} after terraform init with the same backend: ${unlock}` +
      (info.path ? ` (or delete ${info.path}).` : '.')
  ].join('\n');
}

/** Terraform refuses a saved plan once the state has changed since it was made. */
export const STALE_PLAN =
  'The Terraform state changed after this plan was made (another deploy or apply ran in between), so Terraform refused to apply it and changed nothing. Plan again against the current state: for a manual deploy, "Run workflow" once more and approve the new plan.';

/** For ExecStep.explainFailure: a lock or stale-plan message, or undefined for other failures. */
export function explainTerraformFailure(
  result: { readonly stdout: string; readonly stderr: string },
  moduleDir?: string,
  /** What the state-lock step found out about the holder, when it could not release the lock. */
  holder?: string
): string | undefined {
  const text = `${result.stderr}\n${result.stdout}`;
  if (/Saved plan is stale/i.test(text)) return STALE_PLAN;
  const info = parseLockError(text);
  if (!info) return undefined;
  return holder ? `${describeLock(info, moduleDir)}\n${holder}` : describeLock(info, moduleDir);
}
