/** Types of cloud-sql.mjs for the TypeScript harness. */
export const INSTANCE_SUFFIX: string;
export function instanceName(vars: { cluster_name?: string } | undefined): string;
export function liveInstance(world: object): string | undefined;
