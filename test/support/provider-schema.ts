/**
 * The Terraform module checked against the google provider's real schema (6.50.0, extracted from
 * npm @cdktf/provider-google by scripts/provider-schema.mjs): every resource and data source type,
 * every argument and nested block at its level, every required one present.
 */
import { parse } from '@cdktf/hcl2json';
import { readFileSync } from 'node:fs';
import { ensureProviderSchema } from '../../scripts/provider-schema.mjs';
import { META_ARGUMENTS } from './provider-rules/index.mjs';

export interface SchemaStruct {
  readonly attributes: Record<string, boolean>;
  readonly blocks: Record<string, SchemaStruct & { readonly required: boolean }>;
}
export interface ProviderSchema {
  readonly version: string;
  readonly resources: Record<string, SchemaStruct>;
  readonly dataSources: Record<string, SchemaStruct>;
}

let cached: ProviderSchema | undefined;
export function providerSchema(): ProviderSchema {
  cached ??= JSON.parse(readFileSync(ensureProviderSchema(), 'utf8')) as ProviderSchema;
  return cached;
}

type Body = Record<string, unknown>;

function checkBody(
  struct: SchemaStruct,
  body: Body,
  where: string,
  top: boolean,
  errors: string[]
): void {
  const present = new Set<string>();
  for (const [key, value] of Object.entries(body)) {
    if (top && META_ARGUMENTS.has(key)) continue;
    if (key === 'dynamic') {
      for (const [name, entries] of Object.entries(value as Record<string, Body[]>)) {
        const block = struct.blocks[name];
        if (!block) {
          errors.push(`${where}: no nested block "${name}" (dynamic)`);
          continue;
        }
        present.add(name);
        for (const entry of entries) {
          for (const content of (entry.content as Body[] | undefined) ?? []) {
            checkBody(block, content, `${where}.${name}`, false, errors);
          }
        }
      }
      continue;
    }
    present.add(key);
    const block = struct.blocks[key];
    if (block) {
      const items = Array.isArray(value) ? value : [value];
      for (const item of items) {
        if (item && typeof item === 'object' && !Array.isArray(item)) {
          checkBody(block, item as Body, `${where}.${key}`, false, errors);
        } else {
          errors.push(`${where}: "${key}" is a nested block, written as an argument`);
        }
      }
    } else if (!(key in struct.attributes)) {
      errors.push(
        `${where}: no argument or block "${key}" in provider ${providerSchema().version}`
      );
    }
  }
  for (const [name, required] of Object.entries(struct.attributes)) {
    if (required && !present.has(name))
      errors.push(`${where}: required argument "${name}" is missing`);
  }
  for (const [name, block] of Object.entries(struct.blocks)) {
    if (block.required && !present.has(name))
      errors.push(`${where}: required block "${name}" is missing`);
  }
}

/** Every schema error in these .tf files, as `file: type.name.path: what`. */
export async function schemaErrors(files: Record<string, string>): Promise<string[]> {
  const schema = providerSchema();
  const errors: string[] = [];
  for (const [file, text] of Object.entries(files)) {
    const json = (await parse(file, text)) as {
      resource?: Record<string, Record<string, Body[]>>;
      data?: Record<string, Record<string, Body[]>>;
    };
    for (const [kind, table, label] of [
      [json.resource, schema.resources, 'resource'],
      [json.data, schema.dataSources, 'data source']
    ] as const) {
      for (const [type, byName] of Object.entries(kind ?? {})) {
        if (!type.startsWith('google_')) continue;
        const struct = table[type];
        for (const [name, bodies] of Object.entries(byName)) {
          const where = `${file}: ${type}.${name}`;
          if (!struct) {
            errors.push(`${where}: no ${label} type ${type} in provider ${schema.version}`);
            continue;
          }
          for (const body of bodies) checkBody(struct, body, where, true, errors);
        }
      }
    }
  }
  return errors;
}
