// A model of terraform against a GCS backend: plan has changes exactly when the configuration
// (module files, variables, var files) differs from what was last applied, as with the real tool.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fail, flag, flags, has, ok, positionals } from './args.mjs';
import { liveIngresses } from './kubectl.mjs';
import { installProviders } from './providers.mjs';
import { instanceName } from './cloud-sql.mjs';
import { ruleErrors } from '../provider-rules/index.mjs';
import {
  applyWriteOnly,
  ephemeralMisuse,
  nextState,
  removedAddresses,
  resolveFromState
} from './terraform-values.mjs';

const VERSION = '1.13.4';

export function answerTerraform({ args: all, world, env }) {
  const chdir = flag(all, '-chdir');
  const args = all.filter((a) => !a.startsWith('-chdir='));
  const moduleDir = chdir ? path.resolve(chdir) : process.cwd();
  const tf = (world.terraform ??= {});
  const [sub, ...rest] = args;
  switch (sub) {
    case 'version':
      return has(rest, '-json')
        ? ok(
            JSON.stringify({
              terraform_version: tf.version ?? VERSION,
              platform: 'linux_amd64',
              provider_selections: {},
              terraform_outdated: false
            })
          )
        : ok(`Terraform v${tf.version ?? VERSION}\non linux_amd64\n`);
    case 'init':
      return init(rest, moduleDir, tf, env);
    case 'plan':
      return plan(rest, moduleDir, tf);
    case 'show':
      return show(rest, moduleDir);
    case 'apply':
      return apply(rest, moduleDir, tf, world);
    case 'output':
      return output(rest, tf);
    case 'state':
      if (rest[0] !== 'list') return fail(`Unknown state subcommand ${rest[0]}\n`);
      if (notInitialized(tf)) return notInitialized(tf);
      return ok(
        tf.applied
          ? `${remaining(moduleDir, tf)
              .map((r) => r.address)
              .join('\n')}\n`
          : ''
      );
    case 'validate':
      // Without -var, as the real validate: every variable unknown, so only rules that hold
      // whatever the variables are can fail here.
      return ruleFailure(moduleDir, undefined).then(
        (failure) => failure ?? ok('Success! The configuration is valid.\n')
      );
    case 'fmt':
      return ok();
    case 'force-unlock':
      return forceUnlock(rest, tf);
    default:
      return fail(`Terraform has no command named "${sub}".\n`, 1);
  }
}

async function init(args, moduleDir, tf, env) {
  tf.backend = Object.fromEntries(flags(args, '-backend-config').map((kv) => kv.split('=')));
  const providers = await installProviders(moduleDir, env);
  if (providers.error) return fail(providers.error);
  tf.initialized = true;
  return ok(
    `Initializing the backend...\n\nSuccessfully configured the backend "gcs"! Terraform will automatically\nuse this backend unless the backend configuration changes.\n\nInitializing provider plugins...\n- Reusing previous version of hashicorp/google from the dependency lock file\n${providers.lines.join('\n')}\n\nTerraform has been successfully initialized!\n`
  );
}

/**
 * As `terraform force-unlock [-force] LOCK_ID` against the GCS backend: the ID is the lock object's
 * generation and the delete is conditional on it (a wrong ID fails with 412, no lock with 404);
 * without -force it asks for confirmation, which -input=false or no terminal refuses.
 */
function forceUnlock(args, tf) {
  const missing = notInitialized(tf);
  if (missing) return missing;
  const [id] = positionals(args);
  if (!id) return fail('The force-unlock command expects exactly one argument: LOCK_ID.\n');
  if (!has(args, '-force'))
    return fail(
      '╷\n│ Error: Error asking for confirmation\n│ \n│ no terminal to confirm force-unlock\n╵\n'
    );
  const url = `gs://${tf.backend?.bucket}/${tf.backend?.prefix}/default.tflock`;
  if (!tf.lock) return fail(`Failed to unlock state: storage: object doesn't exist (${url})\n`);
  if (String(tf.lock.id) !== id)
    return fail(
      `Failed to unlock state: googleapi: Error 412: At least one of the pre-conditions you specified did not hold., conditionNotMet\n`
    );
  delete tf.lock;
  tf.forceUnlocks = (tf.forceUnlocks ?? 0) + 1;
  return ok(
    'Terraform state has been successfully unlocked!\n\nThe state has been unlocked, and Terraform commands should now be able to\nobtain a new lock on the remote state.\n'
  );
}

function runLock(operation) {
  return {
    id: String(Date.now() * 1000),
    who: `runner@${process.env.HOSTNAME ?? 'fv-az42-1'}`,
    operation
  };
}

function notInitialized(tf) {
  return tf.initialized
    ? undefined
    : fail('╷\n│ Error: Backend initialization required, please run "terraform init"\n╵\n');
}

function lockError(tf) {
  const l = tf.lock;
  return fail(
    `╷\n│ Error: Error acquiring the state lock\n│ \n│ Error message: writing "gs://${tf.backend?.bucket}/${tf.backend?.prefix}/default.tflock" failed: googleapi: Error 412: At least one of the pre-conditions you specified did not hold., conditionNotMet\n│ Lock Info:\n│   ID:        ${l.id}\n│   Path:      gs://${tf.backend?.bucket}/${tf.backend?.prefix}/default.tflock\n│   Operation: ${l.operation ?? 'OperationTypeApply'}\n│   Who:       ${l.who}\n│   Version:   ${VERSION}\n│   Created:   ${l.created ?? '2026-11-24 03:00:00.000000 +0000 UTC'}\n│   Info:      \n│ \n│ \n│ Terraform acquires a state lock to protect the state from being written\n│ by multiple users at the same time. Please resolve the issue above and try\n│ again. For most commands, you can disable locking with the "-lock=false"\n│ flag, but this is not recommended.\n╵\n`
  );
}

/** Variables as terraform sees them: var files first, then -var in order. */
function variables(args) {
  const vars = {};
  for (const file of flags(args, '-var-file')) {
    if (file.endsWith('.json')) {
      // As -var would give them: lists and booleans in their HCL text form.
      for (const [k, v] of Object.entries(JSON.parse(readFileSync(file, 'utf8')))) {
        vars[k] = typeof v === 'string' ? v : JSON.stringify(v);
      }
      continue;
    }
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const m = /^\s*([A-Za-z_][\w-]*)\s*=\s*(.+?)\s*$/.exec(line);
      if (m) vars[m[1]] = m[2].replace(/^"(.*)"$/, '$1');
    }
  }
  for (const kv of flags(args, '-var')) {
    const at = kv.indexOf('=');
    vars[kv.slice(0, at)] = kv.slice(at + 1);
  }
  return vars;
}

function configHash(moduleDir, vars) {
  const hash = createHash('sha256');
  for (const file of readdirSync(moduleDir)
    .filter((f) => f.endsWith('.tf'))
    .sort()) {
    hash.update(file).update(readFileSync(path.join(moduleDir, file)));
  }
  hash.update(JSON.stringify(Object.entries(vars).sort()));
  return hash.digest('hex');
}

/** What the state still holds: the module's resources less those a targeted destroy removed. */
function remaining(moduleDir, tf) {
  const gone = new Set(tf.destroyed ?? []);
  return moduleResources(moduleDir).filter((r) => !gone.has(r.address));
}

/** The module's resources, read from its own HCL so the plan lists what the module declares. */
function moduleResources(moduleDir) {
  const resources = [];
  for (const file of readdirSync(moduleDir)
    .filter((f) => f.endsWith('.tf'))
    .sort()) {
    const lines = readFileSync(path.join(moduleDir, file), 'utf8').split('\n');
    lines.forEach((line, at) => {
      const m = /^resource\s+"([\w-]+)"\s+"([\w-]+)"/.exec(line);
      if (m) {
        resources.push({
          address: `${m[1]}.${m[2]}`,
          type: m[1],
          name: m[2],
          attributes: blockAttributes(lines, at)
        });
      }
    });
  }
  return resources;
}

/**
 * The arguments of the resource block starting at `start` whose value terraform knows at plan
 * time: a literal, or one variable (`tier = var.database_tier`), by their path through nested
 * blocks. Anything else (another resource's attribute) is unknown until apply.
 */
function blockAttributes(lines, start) {
  const attributes = [];
  const nesting = [];
  for (let i = start + 1; i < lines.length; i += 1) {
    const line = lines[i].replace(/#.*$/, '').trim();
    if (line === '}') {
      if (nesting.length === 0) break;
      nesting.pop();
      continue;
    }
    const block = /^([\w-]+)(?:\s+"[^"]*")*\s*\{$/.exec(line);
    if (block) {
      nesting.push(block[1]);
      continue;
    }
    // Meta-arguments and generated blocks are not the resource's arguments.
    if (nesting.some((n) => META_BLOCKS.has(n))) continue;
    const arg = /^([\w-]+)\s*=\s*(.+)$/.exec(line);
    if (!arg || arg[2].endsWith('{') || arg[2].endsWith('[')) continue;
    const [, name, expr] = arg;
    if (nesting.length === 0 && META_ARGUMENTS.has(name)) continue;
    const variable = /^var\.([\w-]+)$/.exec(expr);
    const literal = /^("[^"$]*"|true|false|-?\d+(?:\.\d+)?)$/.exec(expr);
    attributes.push({
      path: [...nesting, name],
      expr,
      ...(variable ? { variable: variable[1] } : literal ? { literal: JSON.parse(expr) } : {}),
      sensitive: /password|secret/.test(name)
    });
  }
  return attributes;
}

const META_ARGUMENTS = new Set(['count', 'for_each', 'depends_on', 'provider']);
const META_BLOCKS = new Set(['lifecycle', 'dynamic', 'content', 'timeouts']);

/** A resource's planned value under `vars`, with the shape of what is unknown until apply. */
function plannedValue(resource, vars) {
  const value = {};
  const unknown = {};
  const sensitive = {};
  const put = (target, keys, v) => {
    let at = target;
    for (const k of keys.slice(0, -1)) at = at[k] ??= {};
    at[keys.at(-1)] = v;
  };
  for (const a of resource.attributes ?? []) {
    if (a.variable !== undefined) {
      if (vars[a.variable] !== undefined) put(value, a.path, vars[a.variable]);
    } else if (a.literal !== undefined) put(value, a.path, a.literal);
    else if (a.fromState !== undefined) put(value, a.path, a.fromState.value);
    else put(unknown, a.path, true);
    if (a.fromState ? a.fromState.sensitive : a.sensitive) put(sensitive, a.path, true);
  }
  return { value, unknown, sensitive };
}

/** Arguments that cannot change in place (the provider's ForceNew ones we rely on). */
const FORCES_REPLACEMENT = new Set(['name', 'location', 'region', 'secret_data_wo_version']);

/** Resources whose known arguments differ between the applied and the planned variables. */
function updatedResources(all, before, after) {
  const out = [];
  for (const r of all) {
    const changed = (r.attributes ?? []).filter(
      (a) => a.variable !== undefined && before[a.variable] !== after[a.variable]
    );
    if (changed.length === 0) continue;
    const forcing = changed.filter((a) => FORCES_REPLACEMENT.has(a.path.at(-1)));
    out.push({
      ...r,
      actions: forcing.length > 0 ? ['delete', 'create'] : ['update'],
      ...(forcing.length > 0 ? { replacePaths: forcing.map((a) => a.path) } : {})
    });
  }
  return out;
}

/** Variables the module declares (`variable "NAME"` blocks). */
function declaredVariables(moduleDir) {
  const names = new Set();
  for (const file of readdirSync(moduleDir).filter((f) => f.endsWith('.tf'))) {
    const text = readFileSync(path.join(moduleDir, file), 'utf8');
    for (const m of text.matchAll(/^variable\s+"([\w-]+)"/gm)) names.add(m[1]);
  }
  return names;
}

/**
 * The google provider's own rules (ConflictsWith, Required, enums…; test/contracts), checked as
 * its SDK checks them at validate and plan: a conflict fails every plan as it would for real.
 */
async function ruleFailure(moduleDir, vars) {
  const errors = await ruleErrors(moduleDir, vars);
  return errors.length > 0 ? fail(errors.join('')) : undefined;
}

async function plan(args, moduleDir, tf) {
  const missing = notInitialized(tf);
  if (missing) return missing;
  // As terraform does: an undeclared variable given with -var is an error (in a file, a warning).
  const declared = declaredVariables(moduleDir);
  for (const kv of flags(args, '-var')) {
    const name = kv.slice(0, kv.indexOf('='));
    if (!declared.has(name)) {
      return fail(
        `╷\n│ Error: Value for undeclared variable\n│ \n│ A variable named "${name}" was assigned on the command line, but the root\n│ module does not declare a variable of that name. To use this value, add a\n│ "variable" block to the configuration.\n╵\n`
      );
    }
  }
  if (tf.lock && !has(args, '-lock=false')) return lockError(tf);
  if (tf.planError) return fail(tf.planError);
  const destroy = has(args, '-destroy');
  const vars = variables(args);
  const rules = await ruleFailure(moduleDir, vars);
  if (rules) return rules;
  const hash = configHash(moduleDir, vars);
  const all = moduleResources(moduleDir);
  // The module reads the prior state while planning; an ephemeral value it may not persist.
  const refused = ephemeralMisuse(all) ?? resolveFromState(all, tf.applied ? tf.state : undefined);
  if (refused) return fail(refused);
  const forgotten = removedAddresses(moduleDir);
  const targets = flags(args, '-target');
  let changes;
  if (destroy)
    changes = tf.applied
      ? remaining(moduleDir, tf)
          .filter((r) => targets.length === 0 || targets.includes(r.address))
          .map((r) => ({ ...r, actions: ['delete'] }))
      : [];
  else if (tf.applied === hash) changes = [];
  else if (tf.applied) {
    // What the state holds and the module no longer declares is destroyed, or forgotten when a
    // `removed` block says so; what it declares anew is created.
    const declared = new Set(all.map((r) => r.address));
    const removed = (tf.resources ?? [])
      .filter((address) => !declared.has(address))
      .map((address) => {
        const [type, name] = address.split('.');
        return { address, type, name, actions: [forgotten.has(address) ? 'forget' : 'delete'] };
      });
    const created = tf.resources
      ? all
          .filter((r) => !tf.resources.includes(r.address))
          .map((r) => ({ ...r, actions: ['create'] }))
      : [];
    // Resources whose arguments follow a changed variable change; a change only in the module's
    // files updates its first resource.
    const updated = tf.vars ? updatedResources(all, tf.vars, vars) : [];
    changes = [
      ...(updated.length > 0 || created.length > 0
        ? updated
        : all.slice(0, 1).map((r) => ({ ...r, actions: ['update'] }))),
      ...created,
      ...removed
    ];
  } else changes = all.map((r) => ({ ...r, actions: ['create'] }));
  if (tf.drifted && !destroy) changes = [{ ...all[0], actions: ['update'] }];
  const out = flag(args, '-out');
  if (out)
    writeFileSync(
      out,
      JSON.stringify({
        hash,
        destroy,
        targets,
        changes,
        vars,
        baseline: tf.applied ?? null,
        appliedVars: tf.vars ?? null,
        destroyedBefore: tf.destroyed ?? [],
        resources: all.map((r) => r.address),
        // As a real plan file does: the prior state, sensitive values in plain text.
        prior_state: tf.applied ? (tf.state ?? null) : null
      })
    );
  const count = (a) => changes.filter((c) => c.actions.includes(a)).length;
  const text =
    changes.length === 0
      ? 'No changes. Your infrastructure matches the configuration.\n'
      : `${changes.map((c) => `  # ${c.address} ${phrase(c.actions)}`).join('\n')}\n\nPlan: ${count('create')} to add, ${count('update')} to change, ${count('delete')} to destroy.\n`;
  return {
    exitCode: has(args, '-detailed-exitcode') && changes.length > 0 ? 2 : 0,
    stdout: text,
    ...(has(args, '-lock=false') ? {} : { holdsLock: runLock('OperationTypePlan') })
  };
}

function show(args, moduleDir) {
  const [file] = positionals(args);
  if (!file || !existsSync(file))
    return fail(`╷\n│ Error: Failed to read the given file as a state or plan file\n╵\n`);
  const planned = JSON.parse(readFileSync(file, 'utf8'));
  if (has(args, '-json')) {
    return ok(
      JSON.stringify({
        format_version: '1.2',
        terraform_version: VERSION,
        variables: Object.fromEntries(
          Object.entries(planned.vars).map(([k, v]) => [k, { value: v }])
        ),
        resource_changes: planned.changes.map((c) => ({
          address: c.address,
          mode: 'managed',
          type: c.type,
          name: c.name,
          provider_name: c.type.startsWith('random')
            ? 'registry.terraform.io/hashicorp/random'
            : 'registry.terraform.io/hashicorp/google',
          change: changeOf(c, planned),
          ...(c.replacePaths ? { action_reason: 'replace_because_cannot_update' } : {})
        })),
        configuration: { root_module: {} },
        errored: false
      })
    );
  }
  void moduleDir;
  return ok(
    planned.changes.length === 0
      ? 'No changes.\n'
      : planned.changes
          .map((c) => `  # ${c.address} ${phrase(c.actions)}${readLines(c)}`)
          .join('\n') + '\n'
  );
}

/**
 * A created resource's arguments read from the state, as terraform prints them: the value, or
 * `(sensitive value)`. (Other arguments are left out: no test reads them.)
 */
function readLines(c) {
  if (!c.actions.includes('create')) return '';
  const read = (c.attributes ?? []).filter((a) => a.fromState);
  return read
    .map(
      (a) =>
        `\n      + ${a.path.join('.')} = ${a.fromState.sensitive ? '(sensitive value)' : JSON.stringify(a.fromState.value)}`
    )
    .join('');
}

/** How terraform's human-readable plan names an action. */
function phrase(actions) {
  if (actions.length === 2) return 'must be replaced';
  return {
    create: 'will be created',
    delete: 'will be destroyed',
    update: 'will be updated in-place',
    forget: 'will no longer be managed by Terraform'
  }[actions[0]];
}

/** A resource change as `terraform show -json` writes it: before and after by their arguments. */
function changeOf(c, planned) {
  const before = plannedValue(c, planned.appliedVars ?? {});
  const after = plannedValue(c, planned.vars);
  const creates = c.actions.includes('create');
  const deletes = c.actions.includes('delete');
  return {
    actions: c.actions,
    before: creates && !deletes ? null : before.value,
    after: deletes && !creates ? null : after.value,
    // An update keeps what it does not change: only a new resource waits for its computed values.
    after_unknown: creates && !deletes ? after.unknown : {},
    before_sensitive: creates && !deletes ? false : before.sensitive,
    after_sensitive: deletes && !creates ? false : after.sensitive,
    ...(c.replacePaths ? { replace_paths: c.replacePaths } : {})
  };
}

/** The VPC of the bundled module, where Cloud SQL's private services access peers. */
const networkOf = (vars) => `${vars.cluster_name ?? 'flyte'}-vpc`;
const PEERING = 'servicenetworking-googleapis-com';

function apply(args, moduleDir, tf, world) {
  const missing = notInitialized(tf);
  if (missing) return missing;
  if (tf.lock && !has(args, '-lock=false')) return lockError(tf);
  if (tf.applyError) return fail(tf.applyError);
  const [file] = positionals(args, [
    '-var',
    '-var-file',
    '-target',
    '-lock-timeout',
    '-parallelism'
  ]);
  if (file && existsSync(file)) {
    const planned = JSON.parse(readFileSync(file, 'utf8'));
    if (
      (planned.baseline ?? null) !== (tf.applied ?? null) ||
      JSON.stringify(planned.destroyedBefore ?? []) !== JSON.stringify(tf.destroyed ?? [])
    ) {
      return fail(
        '╷\n│ Error: Saved plan is stale\n│ \n│ The given plan file can no longer be applied because the state was changed\n│ by another operation after the plan was created.\n╵\n'
      );
    }
    const peerings = ((world.gcloud ??= {}).peerings ??= {});
    const network = networkOf(planned.vars);
    if (planned.destroy && planned.targets.length > 0) {
      tf.destroyed = [...(tf.destroyed ?? []), ...planned.changes.map((c) => c.address)];
    } else if (planned.destroy) {
      // As GCP does: a network still peered with servicenetworking cannot be deleted; the
      // connection resource itself is abandoned (deletion_policy ABANDON), so the peering stays.
      if (
        (peerings[network] ?? []).includes(PEERING) &&
        planned.changes.some((c) => c.address === 'google_compute_network.vpc')
      ) {
        tf.destroyed = planned.changes
          .map((c) => c.address)
          .filter((a) => a !== 'google_compute_network.vpc');
        return fail(
          `╷\n│ Error: Error waiting for Deleting Network: The network resource 'projects/${planned.vars.project_id}/global/networks/${network}' is already being used by 'projects/${planned.vars.project_id}/global/networks/${network}/peerings/${PEERING}'\n╵\n`
        );
      }
      delete tf.applied;
      delete tf.vars;
      delete tf.destroyed;
      delete tf.state;
      delete tf.passwordVersion;
      delete tf.passwordSecret;
      delete world.gcloud.secretVersions;
    } else {
      // As GCP does: a proxy-only subnet a forwarding rule still uses cannot be deleted.
      const subnet = planned.changes.find(
        (c) => c.type === 'google_compute_subnetwork' && c.actions.includes('delete')
      );
      const internal = Object.keys(world.helm?.releases ?? {})
        .map((key) => key.split('/')[0])
        .flatMap((ns) => liveIngresses(world, ns).filter((n) => n.endsWith('-grpc')));
      if (subnet && internal.length > 0) {
        return fail(
          `╷\n│ Error: Error when reading or editing Subnetwork: googleapi: Error 400: The subnetwork resource 'projects/${planned.vars.project_id}/regions/${planned.vars.region ?? 'us-central1'}/subnetworks/${planned.vars.cluster_name}-proxy-only' is already being used by 'projects/${planned.vars.project_id}/regions/${planned.vars.region ?? 'us-central1'}/forwardingRules/k8s2-fr-${internal[0]}', resourceInUseByAnotherResource\n╵\n`
        );
      }
      tf.applied = planned.hash;
      tf.vars = planned.vars;
      tf.resources = planned.resources;
      const all = moduleResources(moduleDir);
      resolveFromState(all, tf.state);
      applyWriteOnly(all, planned.changes, tf, world, planned.vars);
      tf.state = nextState(all, tf.state, planned.vars);
      if (planned.changes.some((c) => c.type === 'google_service_networking_connection')) {
        peerings[network] = [PEERING];
      }
    }
    tf.applies = (tf.applies ?? 0) + 1;
    const n = planned.changes.length;
    return {
      ...ok(
        `\nApply complete! Resources: ${planned.destroy ? 0 : n} added, 0 changed, ${planned.destroy ? n : 0} destroyed.\n`
      ),
      holdsLock: runLock('OperationTypeApply'),
      // Interrupted, terraform saves what it created so far: the state matches neither before nor after.
      interrupted: (after) => {
        (after.terraform ??= {}).applied = `partial-${planned.hash}`;
        after.terraform.vars = planned.vars;
      }
    };
  }
  if (!has(args, '-auto-approve')) return fail('Error: No configuration files\n');
  // A direct apply (for example a targeted one that lifts deletion protection).
  const vars = { ...(tf.vars ?? {}), ...variables(args) };
  if (tf.applied) tf.applied = configHash(moduleDir, vars);
  tf.vars = vars;
  tf.applies = (tf.applies ?? 0) + 1;
  return ok('\nApply complete! Resources: 0 added, 1 changed, 0 destroyed.\n');
}

function output(args, tf) {
  if (!tf.applied) return ok(has(args, '-json') ? '{}\n' : '');
  const v = tf.vars ?? {};
  const project = v.project_id ?? 'unknown';
  const cluster = v.cluster_name ?? 'flyte';
  const values = {
    cloudsql_ip: '10.59.0.3',
    // The version holding the password: state keeps no password (terraform-values.mjs).
    ...(tf.passwordSecret ? { cloudsql_password_secret: tf.passwordSecret } : {}),
    cloudsql_user: 'flytepg',
    cloudsql_database: 'flyte',
    cloudsql_instance: instanceName(v),
    gke_cluster_location: v.region ?? 'us-central1',
    gke_cluster_name: cluster,
    bucket_name: `${project}-${cluster}-flyte`,
    project_id: project,
    service_account: `${cluster}-flyte@${project}.iam.gserviceaccount.com`,
    // One account per Flyte domain (terraform/task-accounts.tf), a map output.
    task_service_accounts: Object.fromEntries(
      JSON.parse(v.flyte_domains ?? '["development","staging","production"]').map((domain) => [
        domain,
        // The module's ID rule for a short cluster name: t, four hex digits of the domain, the name.
        `t${createHash('sha256').update(domain).digest('hex').slice(0, 4)}-${cluster}@${project}.iam.gserviceaccount.com`
      ])
    ),
    // Flyte 2 (terraform/flyte2-tasks.tf): the tasks' own account, absent for Flyte 1 (null).
    ...(v.flyte2_task_namespace
      ? { flyte2_tasks_service_account: `ftask-${cluster}@${project}.iam.gserviceaccount.com` }
      : {}),
    static_ip_address: v.ingress === 'true' ? (tf.staticIp ?? '34.111.22.33') : '',
    static_ip_name: v.ingress === 'true' ? (v.static_ip_name ?? `${cluster}-flyte`) : '',
    network_name: networkOf(v),
    pods_cidr: v.pods_cidr ?? '10.20.0.0/14',
    ...(tf.outputs ?? {})
  };
  const json = Object.fromEntries(
    Object.entries(values).map(([k, value]) => [
      k,
      {
        sensitive: k === 'cloudsql_password',
        type: typeof value === 'object' && value !== null ? ['map', 'string'] : 'string',
        value
      }
    ])
  );
  return ok(`${JSON.stringify(json, null, 2)}\n`);
}
