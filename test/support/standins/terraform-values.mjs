// What terraform keeps of the values it plans with, for the stand-in terraform. The state (and
// so a plan file's prior state) holds every resource's attributes, sensitive ones in plain text;
// ephemeral values and write-only arguments (`*_wo`, Terraform 1.11+) never enter either. A pull
// request's module can read the state while planning: a tiny evaluator covers the expressions
// that print a state value (references, nonsensitive, split, join), so a planted print shows
// exactly what the state holds.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Attributes the provider computes and keeps in state across applies. */
const COMPUTED = { random_password: ['result'], random_id: ['hex'] };
/** Attributes the provider marks sensitive. */
const SENSITIVE = new Set(['result', 'password', 'secret_data']);

/** Addresses of `removed { from = ADDRESS ... }` blocks: forgotten, never destroyed. */
export function removedAddresses(moduleDir) {
  const out = new Set();
  for (const file of readdirSync(moduleDir).filter((f) => f.endsWith('.tf'))) {
    const text = readFileSync(path.join(moduleDir, file), 'utf8');
    for (const m of text.matchAll(/^removed\s*\{[^}]*?\bfrom\s*=\s*([\w.-]+)/gm)) out.add(m[1]);
  }
  return out;
}

const isWriteOnly = (a) => a.path.at(-1).endsWith('_wo');

/**
 * Terraform refuses an ephemeral value anywhere but a write-only argument (it would have to be
 * persisted): the error a planted `ephemeral.random_password.database.result` print meets.
 */
export function ephemeralMisuse(resources) {
  for (const r of resources) {
    for (const a of r.attributes ?? []) {
      if (!isWriteOnly(a) && /\bephemeral\.[\w-]+\.[\w-]+/.test(a.expr ?? '')) {
        return `╷\n│ Error: Invalid use of ephemeral value\n│ \n│   with ${r.address},\n│   on the argument "${a.path.join('.')}":\n│ \n│ Ephemeral values are not valid for "${a.path.join('.')}", because it is not a write-only\n│ attribute and must be persisted to state.\n╵\n`;
      }
    }
  }
  return undefined;
}

/** Tokens of an HCL expression: strings, names (with dots), ( ) and commas. */
function tokens(expr) {
  const out = [];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|([A-Za-z_][\w.-]*)|([(),]))/y;
  let m;
  while (re.lastIndex < expr.length && (m = re.exec(expr))) {
    if (m[1] !== undefined) out.push({ string: JSON.parse(`"${m[1]}"`) });
    else if (m[2] !== undefined) out.push({ name: m[2] });
    else out.push({ punct: m[3] });
  }
  return re.lastIndex >= expr.trimEnd().length ? out : undefined;
}

/**
 * Evaluates `expr` against the prior state: `{ value, sensitive }` when known, `unknown`, or
 * `{ error }` for a reference to a resource the module does not declare.
 */
export function evaluate(expr, state, declared) {
  const list = tokens(expr);
  if (!list) return 'unknown';
  let at = 0;
  const next = () => list[at++];
  const parse = () => {
    const t = next();
    if (!t) return 'unknown';
    // A template (`"${...}"`) is left to terraform's apply, as far as this model goes.
    if (t.string !== undefined)
      return t.string.includes('${') ? 'unknown' : { value: t.string, sensitive: false };
    if (t.name === undefined) return 'unknown';
    if (list[at]?.punct === '(') {
      at += 1;
      const args = [];
      while (list[at] && list[at].punct !== ')') {
        args.push(parse());
        if (list[at]?.punct === ',') at += 1;
      }
      at += 1;
      return call(t.name, args);
    }
    return reference(t.name, state, declared);
  };
  const result = parse();
  return at === list.length ? result : 'unknown';
}

function call(name, args) {
  const failed = args.find((a) => a?.error);
  if (failed) return failed;
  if (args.some((a) => a === 'unknown')) return 'unknown';
  const sensitive = args.some((a) => a.sensitive);
  if (name === 'nonsensitive' && args.length === 1) return { ...args[0], sensitive: false };
  if (name === 'split' && args.length === 2)
    return { value: String(args[1].value).split(args[0].value), sensitive };
  if (name === 'join' && args.length === 2 && Array.isArray(args[1].value))
    return { value: args[1].value.join(args[0].value), sensitive };
  return 'unknown';
}

function reference(name, state, declared) {
  const parts = name.split('.');
  if (['var', 'local', 'data', 'each', 'count', 'path', 'ephemeral'].includes(parts[0]))
    return 'unknown';
  if (parts.length < 3) return 'unknown';
  const address = `${parts[0]}.${parts[1]}`;
  if (!declared.has(address)) {
    return {
      error: `╷\n│ Error: Reference to undeclared resource\n│ \n│ A managed resource "${parts[0]}" "${parts[1]}" has not been declared in the root module.\n╵\n`
    };
  }
  const value = state?.resources?.[address]?.[parts.slice(2).join('.')];
  return value === undefined ? 'unknown' : { value, sensitive: SENSITIVE.has(parts.at(-1)) };
}

/**
 * Resolves every argument that reads another resource from the prior state (`fromState`), or
 * returns terraform's error for a reference to an undeclared resource.
 */
export function resolveFromState(resources, state) {
  const declared = new Set(resources.map((r) => r.address));
  for (const r of resources) {
    for (const a of r.attributes ?? []) {
      if (a.variable !== undefined || a.literal !== undefined || !a.expr) continue;
      const result = evaluate(a.expr, state, declared);
      if (result?.error) return result.error;
      if (result !== 'unknown') a.fromState = result;
    }
  }
  return undefined;
}

/**
 * The state after an apply: each declared resource with the arguments it was given (never a
 * write-only one) and the computed attributes it kept; removed and undeclared ones are gone.
 */
export function nextState(resources, prior, vars) {
  const out = {};
  for (const r of resources) {
    const kept = Object.fromEntries(
      (COMPUTED[r.type] ?? [])
        .filter((k) => prior?.resources?.[r.address]?.[k] !== undefined)
        .map((k) => [k, prior.resources[r.address][k]])
    );
    for (const a of r.attributes ?? []) {
      if (isWriteOnly(a)) continue;
      const value = a.variable !== undefined ? vars[a.variable] : (a.literal ?? a.fromState?.value);
      if (value !== undefined) kept[a.path.join('.')] = value;
    }
    out[r.address] = kept;
  }
  return { version: 4, resources: out };
}

/** Terraform's `"${var.NAME}-text"` interpolation of variables, as far as names go. */
const interpolate = (expr, vars) =>
  JSON.parse(expr.replace(/\$\{var\.([\w-]+)\}/g, (_, name) => vars[name] ?? ''));

/**
 * What the write-only arguments reach when applied: a Secret Manager version with the password
 * the ephemeral random_password gave this apply (`tf.password` stands for that randomness), and
 * the Cloud SQL user the same password. Written to the cloud's model (world.gcloud), not state.
 */
export function applyWriteOnly(resources, changes, tf, world, vars) {
  const version = resources.find(
    (r) =>
      r.type === 'google_secret_manager_secret_version' &&
      r.attributes.some((a) => a.path.join('.') === 'secret_data_wo')
  );
  if (!version) return;
  const created = changes.some(
    (c) => c.address === version.address && c.actions.includes('create')
  );
  if (tf.passwordVersion && !created) return;
  const secret = resources.find((r) => r.type === 'google_secret_manager_secret');
  const secretId = secret?.attributes.find((a) => a.path.join('.') === 'secret_id')?.expr;
  const n = (tf.passwordVersion ?? 0) + 1;
  const name = `projects/${vars.project_id}/secrets/${secretId ? interpolate(secretId, vars) : 'db-password'}/versions/${n}`;
  const password = tf.password ?? randomBytes(24).toString('base64url');
  const g = (world.gcloud ??= {});
  (g.secretVersions ??= {})[name] = password;
  const user = resources.find((r) => r.type === 'google_sql_user');
  if (user?.attributes.some((a) => a.path.join('.') === 'password_wo')) {
    (g.sqlUsers ??= {})[vars.database_user ?? 'flytepg'] = password;
  }
  tf.passwordVersion = n;
  tf.passwordSecret = name;
}
