/**
 * The VPC peering Cloud SQL's private services access creates (`servicenetworking-googleapis-com`
 * on the consumer network). Terraform's connection resource abandons it (deletion_policy
 * ABANDON), since the producer keeps it busy for days after the instance is gone; deleting it
 * from the consumer side, once the database is gone, is what lets the network be deleted.
 */
import type { ExecResult } from '../../engine/types.js';

export const SERVICE_NETWORKING_PEERING = 'servicenetworking-googleapis-com';

export function deletePeeringArgs(projectId: string, network: string): string[] {
  return [
    'compute',
    'networks',
    'peerings',
    'delete',
    SERVICE_NETWORKING_PEERING,
    `--network=${network}`,
    `--project=${projectId}`,
    '--quiet'
  ];
}

/** `deleted`, `absent` (nothing to do), `busy` (try again later) or `failed`. */
export function peeringDeleteOutcome(result: ExecResult): 'deleted' | 'absent' | 'busy' | 'failed' {
  if (result.exitCode === 0) return 'deleted';
  const text = `${result.stderr}\n${result.stdout}`;
  if (/was not found|not found|notFound/i.test(text)) return 'absent';
  if (/operation.*in progress|resourceNotReady|try again|is not ready/i.test(text)) return 'busy';
  return 'failed';
}
