// Extracts the google provider's resource schema (arguments, nested blocks, required ones) from
// the jsii manifest of npm @cdktf/provider-google, which is generated from provider 6.50.0, into a
// small JSON file the tests read. The manifest is ~100 MB; the extract is made once per install.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGE = path.join(root, 'node_modules', '@cdktf', 'provider-google');
export const SCHEMA_FILE = path.join(
  root,
  'node_modules',
  '.cache',
  'flyte-gke-test',
  'google-provider-schema.json'
);

const LINK =
  /registry\.terraform\.io\/providers\/hashicorp\/google\/([0-9.]+)\/docs\/(resources|data-sources)\/([a-z0-9_]+)(?:#([a-z0-9_]+))?/;

/** A struct's fields: `attributes` (name → required) and `blocks` (name → { required, struct }). */
function structOf(types, fqn, seen = new Map()) {
  if (seen.has(fqn)) return seen.get(fqn);
  const type = types[fqn];
  const result = { attributes: {}, blocks: {} };
  seen.set(fqn, result);
  for (const property of type?.properties ?? []) {
    const match = LINK.exec(`${property.docs?.remarks ?? ''} ${property.docs?.summary ?? ''}`);
    const name = match?.[4];
    if (!name) continue;
    const nested = structFqn(types, property.type);
    if (nested)
      result.blocks[name] = { required: !property.optional, ...structOf(types, nested, seen) };
    else result.attributes[name] = !property.optional;
  }
  return result;
}

/** The struct a property holds (a nested block), directly or as a list of them. */
function structFqn(types, type) {
  if (!type) return undefined;
  if (type.fqn && types[type.fqn]?.kind === 'interface' && types[type.fqn]?.datatype)
    return type.fqn;
  if (type.collection) return structFqn(types, type.collection.elementtype);
  for (const member of type.union?.types ?? []) {
    const found = structFqn(types, member);
    if (found) return found;
  }
  return undefined;
}

export function ensureProviderSchema() {
  if (existsSync(SCHEMA_FILE)) return SCHEMA_FILE;
  const manifest = JSON.parse(readFileSync(path.join(PACKAGE, '.jsii'), 'utf8'));
  const types = manifest.types;
  const schema = { version: undefined, resources: {}, dataSources: {} };
  for (const [fqn, type] of Object.entries(types)) {
    if (type.kind !== 'class') continue;
    const match = LINK.exec(type.docs?.summary ?? '');
    if (!match || match[4]) continue;
    const config = `${fqn}Config`;
    if (!types[config]) continue;
    schema.version = match[1];
    const kind = match[2] === 'resources' ? 'resources' : 'dataSources';
    const name = `google_${match[3]}`;
    schema[kind][name] = structOf(types, config);
  }
  mkdirSync(path.dirname(SCHEMA_FILE), { recursive: true });
  writeFileSync(SCHEMA_FILE, JSON.stringify(schema));
  return SCHEMA_FILE;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(ensureProviderSchema());
