// Extracts the rules the google provider's SDK enforces at validate/plan (Required, ConflictsWith,
// ExactlyOneOf, AtLeastOneOf, RequiredWith, MaxItems, MinItems, StringInSlice enums) from its Go
// source at one tag, for every resource type and nested block the module in terraform/ uses, into
// test/contracts/google-provider-rules.json (the schema JSON carries none of these rules).
//
//   node scripts/provider-rules.mjs [--mirror GIT_DIR] [--tag v6.50.0] [--check]
//
// GIT_DIR is a bare clone of hashicorp/terraform-provider-google (the session's `fetch` puts one
// under /work/.mirror). --check only reports whether the committed file is current.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gitSource, SchemaReader } from './provider-rules/go-schema.mjs';
import { Parser, tokenize } from './provider-rules/go-syntax.mjs';
import { loadModule } from '../test/support/provider-rules/module.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const RULES_FILE = path.join(root, 'test', 'contracts', 'google-provider-rules.json');
const SDK = 'github.com/hashicorp/terraform-plugin-sdk/v2';

/** Resource types the module declares, and the nested block paths ("a/b") each one uses. */
export function usedBlocks(module) {
  const used = {};
  const walk = (body, prefix, set) => {
    for (const [key, value] of Object.entries(body)) {
      if (key === 'dynamic') {
        for (const [name, entries] of Object.entries(value)) {
          set.add(prefix + name);
          for (const e of entries)
            for (const c of e.content ?? []) walk(c, `${prefix}${name}/`, set);
        }
      } else if (
        !['lifecycle', 'provisioner', 'connection'].includes(key) &&
        Array.isArray(value) &&
        value.length > 0 &&
        value.every((v) => v && typeof v === 'object' && !Array.isArray(v))
      ) {
        set.add(prefix + key);
        for (const b of value) walk(b, `${prefix}${key}/`, set);
      }
    }
  };
  for (const r of module.resources) walk(r.body, '', (used[r.type] ??= new Set()));
  return used;
}

/** The constructor expressions of resource types in the provider's ResourcesMap. */
function registrations(source, types) {
  const found = new Map();
  for (const file of source.files.filter((f) => f.startsWith('google/provider/'))) {
    const tokens = tokenize(source.read(file));
    tokens.forEach((t, i) => {
      if (t.t !== 'str' || !types.has(t.v) || tokens[i + 1]?.v !== ':') return;
      try {
        const node = new Parser(tokens, i + 2).expression();
        const fn = node.k === 'call' && node.fn.k === 'ref' ? node.fn.name : '';
        if (fn && !/DataSource/.test(fn)) found.set(t.v, node);
      } catch {
        // Not a registration.
      }
    });
  }
  return found;
}

/** Rules kept for the blocks the module uses; other blocks keep their own rules, not their fields. */
function prune(fields, used, prefix = '') {
  const out = {};
  for (const [name, rule] of Object.entries(fields).sort(([a], [b]) => a.localeCompare(b))) {
    const { block, ...own } = rule;
    const keep = { ...own };
    if (block && used.has(prefix + name)) keep.block = prune(block, used, `${prefix}${name}/`);
    else if (block) keep.blockNotUsed = true;
    out[name] = keep;
  }
  return out;
}

export async function extract({ mirror, tag }) {
  const source = gitSource(mirror, tag);
  const reader = new SchemaReader(source);
  const module = await loadModule(path.join(root, 'terraform'));
  const used = usedBlocks(module);
  const types = new Set(Object.keys(used).filter((t) => t.startsWith('google_')));
  const found = registrations(source, types);
  const resources = {};
  const problems = [];
  for (const type of [...types].sort()) {
    const node = found.get(type);
    const fields = node && reader.resource(node, { dir: 'google/provider' });
    if (!fields || Object.keys(fields).length === 0) {
      problems.push(`${type}: no schema found in ${tag}`);
      continue;
    }
    resources[type] = prune(fields, used[type]);
    for (const block of used[type]) {
      let at = resources[type];
      for (const part of block.split('/')) at = at?.[part]?.block;
      if (!at) problems.push(`${type}: block ${block} not found in ${tag}`);
    }
  }
  const goMod = source.read('go.mod');
  const sdk = new RegExp(`${SDK.replace(/\//g, '\\/')} (v[0-9.]+)`).exec(goMod)?.[1];
  return {
    data: {
      source: 'https://github.com/hashicorp/terraform-provider-google',
      tag,
      commit: source.commit,
      sdk: `${SDK} ${sdk}`,
      generatedBy: 'scripts/provider-rules.mjs',
      resources
    },
    problems
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const at = process.argv.indexOf(name);
    return at > 0 ? process.argv[at + 1] : fallback;
  };
  const mirror = arg('--mirror', '/work/.mirror/hashicorp+terraform-provider-google/repo');
  const tag = arg('--tag', 'v6.50.0');
  const { data, problems } = await extract({ mirror, tag });
  for (const p of problems) console.error(p);
  // Written as the repository's Prettier writes JSON, so a regenerated file passes format:check.
  const prettier = await import('prettier');
  const text = await prettier.format(JSON.stringify(data, null, 2), {
    ...(await prettier.resolveConfig(RULES_FILE)),
    parser: 'json'
  });
  if (process.argv.includes('--check')) {
    const current = readFileSync(RULES_FILE, 'utf8') === text;
    console.log(current ? 'up to date' : `${RULES_FILE} is stale: rerun without --check`);
    process.exitCode = current && problems.length === 0 ? 0 : 1;
  } else {
    writeFileSync(RULES_FILE, text);
    console.log(
      `${RULES_FILE}: ${Object.keys(data.resources).length} resource types from ${tag} (${data.commit})`
    );
    if (problems.length > 0) process.exitCode = 1;
  }
}
