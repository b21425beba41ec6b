// The Cloud SQL instance of the stand-in world. It exists while Terraform's state holds it
// (applied, and not destroyed by a targeted destroy); its name is the bundled module's
// CLUSTER-pg-SUFFIX, with a fixed suffix. Its backups are served through the Cloud SQL Admin API
// (../google-sql-routes.ts, wired in ../harness-google.ts), not by the stand-in gcloud.

export const INSTANCE_SUFFIX = '0a1b';
const INSTANCE = 'google_sql_database_instance.main';

export const instanceName = (vars) => `${vars?.cluster_name ?? 'flyte'}-pg-${INSTANCE_SUFFIX}`;

/** The live instance's name, or undefined when there is none. */
export function liveInstance(world) {
  const tf = world.terraform;
  if (!tf?.applied || (tf.destroyed ?? []).includes(INSTANCE)) return undefined;
  return instanceName(tf.vars);
}
