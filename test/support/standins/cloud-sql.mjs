// A model of Cloud SQL's on-demand backups as `gcloud sql backups create|list` show them. The
// instance exists while Terraform's state holds it (applied, and not destroyed by a targeted
// destroy); its name is the bundled module's CLUSTER-pg-SUFFIX, with a fixed suffix.
import { fail, flag, ok } from './args.mjs';

export const INSTANCE_SUFFIX = '0a1b';
const INSTANCE = 'google_sql_database_instance.main';

export const instanceName = (vars) => `${vars?.cluster_name ?? 'flyte'}-pg-${INSTANCE_SUFFIX}`;

/** The live instance's name, or undefined when there is none. */
export function liveInstance(world) {
  const tf = world.terraform;
  if (!tf?.applied || (tf.destroyed ?? []).includes(INSTANCE)) return undefined;
  return instanceName(tf.vars);
}

// The flags each command takes (gcloud's reference), with the global ones the action may pass.
const GLOBAL = ['--project', '--format', '--quiet', '--verbosity'];
const ACCEPTED = {
  create: ['--instance', '-i', '--async', '--description', '--location', ...GLOBAL],
  list: ['--instance', '-i', '--filter', '--limit', '--page-size', '--sort-by', '--uri', ...GLOBAL]
};

/** gcloud refuses a flag the command does not have, naming it. */
function unknownFlags(verb, args) {
  const names = args.filter((a) => a.startsWith('-')).map((a) => a.split('=')[0]);
  const unknown = names.filter((n) => !ACCEPTED[verb].includes(n));
  return unknown.length > 0
    ? fail(`ERROR: (gcloud.sql.backups.${verb}) unrecognized arguments: ${unknown.join(' ')}\n`, 2)
    : undefined;
}

/** `type=ON_DEMAND AND description="..."`: the terms the action filters by, ANDed. */
function filterOf(expression) {
  if (!expression) return () => true;
  const terms = expression.split(/\s+AND\s+/).map((term) => {
    const m = /^(\w+)=(?:"((?:[^"\\]|\\.)*)"|(\S+))$/.exec(term.trim());
    if (!m) throw new Error(`the stand-in does not model the filter term ${term}`);
    return [m[1], m[2] !== undefined ? JSON.parse(`"${m[2]}"`) : m[3]];
  });
  return (backup) => terms.every(([key, value]) => String(backup[key] ?? '') === value);
}

export function answerSqlBackups(verb, args, world) {
  if (!ACCEPTED[verb]) return ok();
  const refused = unknownFlags(verb, args);
  if (refused) return refused;
  const g = (world.gcloud ??= {});
  const backups = (g.sqlBackups ??= []);
  const instance = flag(args, '--instance', '-i');
  const project = flag(args, '--project');
  const owner = world.terraform?.vars?.project_id;
  if (verb === 'create') {
    if (!instance)
      return fail(
        'ERROR: (gcloud.sql.backups.create) argument --instance/-i: Must be specified.\n',
        2
      );
    if (instance !== liveInstance(world) || (owner && project !== owner)) {
      return fail(
        'ERROR: (gcloud.sql.backups.create) HTTPError 404: The Cloud SQL instance does not exist.\n'
      );
    }
    if (g.sqlBackupError) return fail(g.sqlBackupError);
    backups.push({
      id: String(1765100000000 + backups.length),
      instance,
      description: flag(args, '--description') ?? '',
      type: 'ON_DEMAND',
      status: g.sqlBackupStatus ?? 'SUCCESSFUL',
      kind: 'sql#backupRun'
    });
    return ok(
      '',
      `Backing up Cloud SQL instance...done.\n[https://sqladmin.googleapis.com/sql/v1beta4/projects/${project}/instances/${instance}] backed up.\n`
    );
  }
  // list: newest first (by enqueued time), as gcloud lists them.
  let keep;
  try {
    keep = filterOf(flag(args, '--filter'));
  } catch (error) {
    return fail(`${error.message}\n`, 3);
  }
  const limit = Number(flag(args, '--limit') ?? Infinity);
  const listed = backups
    .filter((b) => !instance || b.instance === instance)
    .filter(keep)
    .reverse()
    .slice(0, limit);
  return ok(`${JSON.stringify(listed, null, 2)}\n`);
}
