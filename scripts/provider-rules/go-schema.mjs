// Reads SDKv2 schema declarations (map[string]*schema.Schema literals, the functions and package
// variables they are built from) out of a provider's Go source at one git tag, into rules data.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { declarations } from './go-syntax.mjs';

/** The provider's Go files at `tag` in the bare git directory `gitDir`. */
export function gitSource(gitDir, tag) {
  const git = (...args) =>
    execFileSync('git', ['--git-dir', gitDir, ...args], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024
    });
  const commit = git('rev-parse', `${tag}^{commit}`).trim();
  const files = git('ls-tree', '-r', '--name-only', commit)
    .split('\n')
    .filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'));
  const dirs = new Set(files.map((f) => path.posix.dirname(f)));
  const parsed = new Map();
  return {
    commit,
    dirs,
    files,
    /** Files of `dir` that may declare `name` (a quick grep, then parsed once each). */
    declaring(dir, name) {
      let hits = '';
      try {
        hits = git(
          'grep',
          '-l',
          '-w',
          '-E',
          `(func|var)?\\s*${name}\\b`,
          commit,
          '--',
          `${dir}/*.go`
        );
      } catch {
        return [];
      }
      return hits
        .split('\n')
        .filter((line) => line && !line.endsWith('_test.go'))
        .map((line) => line.slice(commit.length + 1))
        .filter((file) => path.posix.dirname(file) === dir)
        .map((file) => {
          if (!parsed.has(file)) parsed.set(file, declarations(git('show', `${commit}:${file}`)));
          return parsed.get(file);
        });
    },
    read: (file) => git('show', `${commit}:${file}`)
  };
}

/** Resolves names to the expressions that define them, package by package. */
export class SchemaReader {
  constructor(source) {
    this.source = source;
  }

  /** The directory of package `pkg` (google/services/pkg, else google/pkg, else a match). */
  packageDir(pkg) {
    const candidates = [`google/services/${pkg}`, `google/${pkg}`];
    const found = candidates.find((dir) => this.source.dirs.has(dir));
    if (found) return found;
    return [...this.source.dirs].find((dir) => path.posix.basename(dir) === pkg);
  }

  /** What a reference `name` or `pkg.Name` stands for: { node, ctx } or undefined. */
  lookup(name, ctx) {
    const local = ctx.bindings?.get(name);
    if (local) return local;
    const dot = name.indexOf('.');
    const dir = dot < 0 ? ctx.dir : this.packageDir(name.slice(0, dot));
    const bare = dot < 0 ? name : name.slice(dot + 1);
    if (!dir || bare.includes('.')) return undefined;
    for (const decl of this.source.declaring(dir, bare)) {
      if (decl.vars.has(bare)) return { node: decl.vars.get(bare), ctx: { dir } };
      if (decl.funcs.has(bare)) return { func: decl.funcs.get(bare), ctx: { dir } };
    }
    return undefined;
  }

  /** A call's result: the called function's return expression with its parameters bound. */
  callResult(node, ctx) {
    const found = node.fn.k === 'ref' ? this.lookup(node.fn.name, ctx) : undefined;
    if (!found?.func) return undefined;
    const { func } = found;
    const bindings = new Map();
    func.params.forEach((param, i) => {
      if (node.args[i]) bindings.set(param, { node: node.args[i], ctx });
    });
    for (const [name, value] of func.locals) {
      if (!bindings.has(name)) bindings.set(name, { node: value, ctx: { ...found.ctx, bindings } });
    }
    const inner = { ...found.ctx, bindings };
    return func.returns.map((ret) => ({ node: ret, ctx: inner }));
  }

  /** Follows references and calls until a literal (or anything else) is reached. */
  *values(node, ctx, depth = 0) {
    if (depth > 20 || !node) return;
    if (node.k === 'addr') {
      yield* this.values(node.of, ctx, depth + 1);
    } else if (node.k === 'ref') {
      const found = this.lookup(node.name, ctx);
      if (found?.node) yield* this.values(found.node, found.ctx, depth + 1);
    } else if (node.k === 'call') {
      for (const r of this.callResult(node, ctx) ?? [])
        yield* this.values(r.node, r.ctx, depth + 1);
      yield { node, ctx };
    } else yield { node, ctx };
  }

  /** The first literal of `type` an expression evaluates to. */
  literal(node, ctx, test) {
    for (const v of this.values(node, ctx)) if (v.node.k === 'lit' && test(v.node.type)) return v;
    return undefined;
  }

  /** A []string: a literal, a variable, or append(…) of those. */
  strings(node, ctx) {
    for (const v of this.values(node, ctx)) {
      if (v.node.k === 'lit')
        return v.node.elems.flatMap((e) => this.strings(e.value, v.ctx) ?? []);
      if (v.node.k === 'str') return [v.node.v];
      if (v.node.k === 'call' && v.node.fn.k === 'ref' && v.node.fn.name === 'append') {
        return v.node.args.flatMap((a) => this.strings(a, v.ctx) ?? []);
      }
    }
    return undefined;
  }

  /** A schema map: a map literal, tpgresource.MergeSchemas(…), or what names them. */
  schemaMap(node, ctx) {
    const out = {};
    for (const v of this.values(node, ctx)) {
      if (v.node.k === 'lit' && v.node.type.startsWith('map[]')) {
        for (const e of v.node.elems) {
          if (e.key?.k !== 'str') continue;
          const field = this.field(e.value, v.ctx);
          if (field) out[e.key.v] = field;
        }
        return out;
      }
      if (v.node.k === 'call' && v.node.fn.k === 'ref' && v.node.fn.name.endsWith('MergeSchemas')) {
        for (const arg of v.node.args) Object.assign(out, this.schemaMap(arg, v.ctx));
        return out;
      }
    }
    return out;
  }

  /** A resource literal's schema. */
  resource(node, ctx) {
    const found = this.literal(node, ctx, (t) => t === 'schema.Resource');
    if (!found) return undefined;
    const schemaElem = found.node.elems.find((e) => e.key?.k === 'ref' && e.key.name === 'Schema');
    return schemaElem ? this.schemaMap(schemaElem.value, found.ctx) : {};
  }

  /** One field's rules from a schema.Schema literal (or the function that returns one). */
  field(node, ctx) {
    const found = this.literal(node, ctx, (t) => t === '' || t === 'schema.Schema');
    if (!found) return undefined;
    const rule = {};
    for (const e of found.node.elems) {
      if (e.key?.k !== 'ref') continue;
      const c = found.ctx;
      switch (e.key.name) {
        case 'Type':
          rule.type =
            e.value.k === 'ref'
              ? e.value.name.replace(/^schema\.Type/, '').toLowerCase()
              : 'unknown';
          break;
        case 'Required':
        case 'Optional':
        case 'Computed':
          if (e.value.k === 'ref' && e.value.name === 'true') rule[e.key.name.toLowerCase()] = true;
          break;
        // Not a validation rule: a change to it replaces the resource (test/private-nodes.test.ts
        // checks that flipping a module switch never does that to a live resource silently).
        case 'ForceNew':
          if (e.value.k === 'ref' && e.value.name === 'true') rule.forceNew = true;
          break;
        case 'ConflictsWith':
        case 'ExactlyOneOf':
        case 'AtLeastOneOf':
        case 'RequiredWith': {
          const keys = this.strings(e.value, c);
          const name = e.key.name[0].toLowerCase() + e.key.name.slice(1);
          if (keys) rule[name] = keys;
          else rule[`${name}Unresolved`] = true;
          break;
        }
        case 'MaxItems':
        case 'MinItems':
          if (e.value.k === 'num')
            rule[e.key.name === 'MaxItems' ? 'maxItems' : 'minItems'] = Number(e.value.v);
          break;
        case 'ValidateFunc':
        case 'ValidateDiagFunc':
          Object.assign(rule, this.enumOf(e.value, c));
          break;
        case 'Elem': {
          const block = this.resource(e.value, c);
          if (block) rule.block = block;
          break;
        }
        default:
      }
    }
    return rule;
  }

  /** validation.StringInSlice(list, ignoreCase) or verify.ValidateEnum(list), however wrapped. */
  enumOf(node, ctx) {
    for (const v of this.values(node, ctx)) {
      if (v.node.k !== 'call' || v.node.fn.k !== 'ref') continue;
      const fn = v.node.fn.name;
      if (fn.endsWith('StringInSlice') || fn.endsWith('ValidateEnum')) {
        const values = this.strings(v.node.args[0], v.ctx);
        if (!values) return {};
        const ignoreCase = v.node.args[1]?.k === 'ref' && v.node.args[1].name === 'true';
        return { enum: values, ...(ignoreCase ? { enumIgnoreCase: true } : {}) };
      }
      if (fn.endsWith('ToDiagFunc')) return this.enumOf(v.node.args[0], v.ctx);
    }
    return {};
  }
}
