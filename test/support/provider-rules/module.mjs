// A Terraform module read with HashiCorp's HCL parser, and its resources instantiated under one
// set of variable values: count and for_each decide which exist, dynamic blocks expand by their
// for_each, and an argument that evaluates to null is left out, as Terraform leaves it unset.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluate, evaluateExpression, UNKNOWN } from './hcl-expression.mjs';

/** Terraform's meta-arguments: set on a resource block, never checked against a provider schema. */
export const META_ARGUMENTS = new Set([
  'count',
  'for_each',
  'depends_on',
  'lifecycle',
  'provider',
  'provisioner',
  'connection'
]);

// The parser is WebAssembly that takes seconds to start on a busy runner; the stand-in terraform
// reads the module at every plan, so parsed files are kept by their content's hash.
const CACHE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../node_modules/.cache/flyte-gke-test/hcl'
);

async function parsed(file, text) {
  const key = createHash('sha256').update(file).update('\0').update(text).digest('hex');
  const cached = path.join(CACHE, `${key}.json`);
  if (existsSync(cached)) return JSON.parse(readFileSync(cached, 'utf8'));
  const { parse } = await import('@cdktf/hcl2json');
  const json = await parse(file, text);
  mkdirSync(CACHE, { recursive: true });
  const partial = `${cached}.${process.pid}`;
  writeFileSync(partial, JSON.stringify(json));
  renameSync(partial, cached);
  return json;
}

/** The module's variables, locals and resources (`{ type, name, file, body }`). */
export async function loadModule(dir) {
  const module = { variables: {}, locals: {}, resources: [] };
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.tf'))
    .sort()) {
    const json = await parsed(file, readFileSync(path.join(dir, file), 'utf8'));
    for (const [name, [body]] of Object.entries(json.variable ?? {})) module.variables[name] = body;
    for (const block of json.locals ?? []) Object.assign(module.locals, block);
    for (const [type, byName] of Object.entries(json.resource ?? {})) {
      for (const [name, bodies] of Object.entries(byName)) {
        module.resources.push({ type, name, file, body: bodies[0] });
      }
    }
  }
  return module;
}

/** A variable's type keyword: bool, number, string, list, map… */
export const variableType = (body) =>
  /^\$\{(\w+)/.exec(String(body?.type ?? '${string}'))?.[1] ?? 'string';

/** Variable values as Terraform takes them from -var (text), by each variable's type. */
export function fromCommandLine(module, raw) {
  const out = {};
  for (const [name, text] of Object.entries(raw)) {
    const type = variableType(module.variables[name]);
    if (type === 'bool') out[name] = text === 'true';
    else if (type === 'number') out[name] = Number(text);
    else if (type === 'string') out[name] = text;
    else {
      try {
        out[name] = JSON.parse(text);
      } catch {
        out[name] = UNKNOWN;
      }
    }
  }
  return out;
}

/** Every variable's value: the given one, else its default, else UNKNOWN. */
export function withDefaults(module, given) {
  const out = {};
  for (const [name, body] of Object.entries(module.variables)) {
    out[name] = name in given ? given[name] : 'default' in body ? body.default : UNKNOWN;
  }
  return out;
}

function scopeFor(module, vars, self = {}, cache = new Map()) {
  const scope = {
    var: vars,
    self,
    local(name) {
      if (!cache.has(name)) cache.set(name, evaluate(module.locals[name], { ...scope, self: {} }));
      return cache.get(name);
    }
  };
  return scope;
}

/** The resource instances that exist under `vars` (of `resources`, all by default). */
export function instances(module, vars, resources = module.resources) {
  const out = [];
  const locals = new Map();
  for (const r of resources) {
    const scope = scopeFor(module, vars, {}, locals);
    let selves = [{}];
    if (r.body.count !== undefined) {
      const n = evaluate(r.body.count, scope);
      selves = n === UNKNOWN ? [{ 'count.index': UNKNOWN }] : n > 0 ? [{ 'count.index': 0 }] : [];
    } else if (r.body.for_each !== undefined) {
      const each = evaluate(r.body.for_each, scope);
      // A set's key is its value; a map's its key.
      const entries =
        each === UNKNOWN
          ? [[UNKNOWN, UNKNOWN]]
          : Array.isArray(each)
            ? each.map((v) => [v, v])
            : Object.entries(each ?? {});
      selves = entries.slice(0, 1).map(([k, v]) => ({ 'each.value': v, 'each.key': k }));
    }
    for (const self of selves) {
      const config = configOf(r.body, scopeFor(module, vars, self, locals), true);
      out.push({
        address: `${r.type}.${r.name}`,
        type: r.type,
        name: r.name,
        file: r.file,
        config
      });
    }
  }
  return out;
}

/**
 * Every instance of one resource under `vars`, keyed as Terraform keys them: `each.key` a map's
 * key or a set's value, `count.index` a number. An UNKNOWN for_each or count gives none.
 */
export function everyInstance(module, vars, type, name) {
  const r = module.resources.find((x) => x.type === type && x.name === name);
  if (!r) throw new Error(`no resource ${type}.${name}`);
  const locals = new Map();
  const scope = scopeFor(module, vars, {}, locals);
  let selves = [{}];
  if (r.body.count !== undefined) {
    const n = evaluate(r.body.count, scope);
    selves = n === UNKNOWN ? [] : Array.from({ length: n }, (_, i) => ({ 'count.index': i }));
  } else if (r.body.for_each !== undefined) {
    const each = evaluate(r.body.for_each, scope);
    selves =
      each === UNKNOWN
        ? []
        : Array.isArray(each)
          ? each.map((v) => ({ 'each.key': v, 'each.value': v }))
          : Object.entries(each ?? {}).map(([k, v]) => ({ 'each.key': k, 'each.value': v }));
  }
  return selves.map((self) => ({
    key: self['each.key'] ?? self['count.index'],
    each: self['each.value'],
    config: configOf(r.body, scopeFor(module, vars, self, locals), true)
  }));
}

const isBlockList = (v) =>
  Array.isArray(v) &&
  v.length > 0 &&
  v.every((b) => b && typeof b === 'object' && !Array.isArray(b));

/** A body's arguments (nulls left out) and blocks (lists of bodies), dynamic ones expanded. */
function configOf(body, scope, top) {
  const config = {};
  for (const [key, value] of Object.entries(body)) {
    if (top && META_ARGUMENTS.has(key)) continue;
    if (key === 'dynamic') {
      for (const [name, entries] of Object.entries(value)) {
        for (const entry of entries) {
          const each = evaluate(entry.for_each, scope);
          const items =
            each === UNKNOWN ? [UNKNOWN] : Array.isArray(each) ? each : Object.values(each ?? {});
          const iterator = entry.iterator ?? name;
          for (const item of items) {
            const inner = { ...scope, self: { ...scope.self, [`${iterator}.value`]: item } };
            for (const content of entry.content ?? []) {
              (config[name] ??= []).push(configOf(content, inner, false));
            }
          }
        }
      }
      continue;
    }
    // HCL JSON writes a block as a list of bodies (the module assigns no list of objects).
    if (isBlockList(value)) {
      config[key] = value.map((b) => configOf(b, scope, false));
      continue;
    }
    const v = evaluate(value, scope);
    if (v !== null) config[key] = v;
  }
  return config;
}

/** The variables a resource's configuration reads, directly or through locals. */
export function resourceVariables(module, resource) {
  const vars = new Set();
  const seen = new Set();
  const scan = (value) => {
    const text = JSON.stringify(value) ?? '';
    for (const m of text.matchAll(/\bvar\.([A-Za-z_][\w-]*)/g)) vars.add(m[1]);
    for (const m of text.matchAll(/\blocal\.([A-Za-z_][\w-]*)/g)) {
      if (!seen.has(m[1])) {
        seen.add(m[1]);
        scan(module.locals[m[1]]);
      }
    }
  };
  scan(resource.body);
  return vars;
}

export { evaluateExpression, UNKNOWN };
