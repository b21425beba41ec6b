// Evaluates the HCL expressions @cdktf/hcl2json leaves as "${…}" strings, far enough to know
// which arguments a configuration sets: variables, locals, literals, conditionals, operators and
// a few functions. Anything else (another resource's attribute, an unmodelled function) is
// UNKNOWN: set, with a value known only after apply.

import { createHash } from 'node:crypto';

export const UNKNOWN = Symbol('unknown');

const OPS = ['==', '!=', '<=', '>=', '&&', '||', '=>', '...'];

function tokens(src) {
  const out = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) i += 1;
    else if (c === '"') {
      const end = stringEnd(src, i);
      out.push({ t: 'str', v: src.slice(i + 1, end) });
      i = end + 1;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(src.slice(i));
      out.push({ t: 'num', v: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i));
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
    } else {
      const op = OPS.find((o) => src.startsWith(o, i)) ?? c;
      out.push({ t: 'op', v: op });
      i += op.length;
    }
  }
  return out;
}

/** The index of the quote closing the string that opens at `at` (templates nest). */
function stringEnd(src, at) {
  let depth = 0;
  for (let i = at + 1; i < src.length; i += 1) {
    if (src[i] === '\\') i += 1;
    else if (src.startsWith('${', i)) {
      depth += 1;
      i += 1;
    } else if (src[i] === '}' && depth > 0) depth -= 1;
    else if (src[i] === '"' && depth === 0) return i;
  }
  throw new Error(`unterminated string in ${src}`);
}

/** The interpolations of a template: [{ text } | { expr }]. */
function templateParts(text) {
  const parts = [];
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf('${', i);
    if (start < 0) {
      parts.push({ text: text.slice(i) });
      break;
    }
    if (start > i) parts.push({ text: text.slice(i, start) });
    let depth = 1;
    let j = start + 2;
    while (j < text.length && depth > 0) {
      if (text[j] === '"') j = stringEnd(text, j);
      else if (text[j] === '{') depth += 1;
      else if (text[j] === '}') depth -= 1;
      j += 1;
    }
    parts.push({ expr: text.slice(start + 2, j - 1) });
    i = j;
  }
  return parts;
}

const isUnknown = (v) =>
  v === UNKNOWN ||
  (Array.isArray(v) && v.some(isUnknown)) ||
  (v !== null && typeof v === 'object' && Object.values(v).some(isUnknown));

const FUNCTIONS = {
  length: (v) =>
    Array.isArray(v) ? v.length : typeof v === 'string' ? v.length : Object.keys(v ?? {}).length,
  max: (...a) => Math.max(...a),
  min: (...a) => Math.min(...a),
  concat: (...lists) => lists.flat(),
  toset: (list) => [...new Set(list)],
  tolist: (list) => list,
  contains: (list, v) => list.includes(v),
  startswith: (s, p) => s.startsWith(p),
  strcontains: (s, p) => s.includes(p),
  substr: (s, from, n) => s.slice(from, from + n),
  trimsuffix: (s, x) => (s.endsWith(x) ? s.slice(0, -x.length) : s),
  distinct: (list) => [...new Set(list)],
  join: (sep, list) => list.join(sep),
  keys: (map) => Object.keys(map).sort(),
  // Terraform orders a map's values by key.
  values: (map) =>
    Object.keys(map)
      .sort()
      .map((k) => map[k]),
  replace: (s, from, to) => s.split(from).join(to),
  sha256: (s) => createHash('sha256').update(s).digest('hex'),
  setproduct: (...lists) =>
    lists.reduce((acc, list) => acc.flatMap((prefix) => list.map((v) => [...prefix, v])), [[]])
};

/** Terraform's iteration order: a list by index, a map (object) by key. */
const entriesOf = (coll) =>
  Array.isArray(coll)
    ? coll.map((v, i) => [i, v])
    : Object.keys(coll ?? {})
        .sort()
        .map((k) => [k, coll[k]]);

const attribute = (value, names) =>
  names.reduce(
    (v, n) => (v !== null && typeof v === 'object' && !Array.isArray(v) && n in v ? v[n] : UNKNOWN),
    value
  );

/** Evaluates `${…}` templates within a value parsed from HCL JSON, in `scope`. */
export function evaluate(value, scope) {
  if (typeof value === 'string') return evaluateTemplate(value, scope);
  if (Array.isArray(value)) return value.map((v) => evaluate(v, scope));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluate(v, scope)]));
  }
  return value;
}

function evaluateTemplate(text, scope) {
  const parts = templateParts(text);
  if (parts.length === 1 && parts[0].expr !== undefined)
    return evaluateExpression(parts[0].expr, scope);
  let out = '';
  for (const part of parts) {
    if (part.text !== undefined) out += part.text;
    else {
      const v = evaluateExpression(part.expr, scope);
      if (isUnknown(v)) return UNKNOWN;
      out += String(v);
    }
  }
  return out;
}

/**
 * `scope`: { var: { name: value }, local: (name) => value, self: { 'count.index': 0,
 * 'each.value': … } }. References to resources and data sources are UNKNOWN.
 */
const parsedTokens = new Map();
const LEVELS = [['||'], ['&&'], ['==', '!='], ['<', '>', '<=', '>='], ['+', '-'], ['*', '/', '%']];

export function evaluateExpression(src, scope) {
  if (!parsedTokens.has(src)) parsedTokens.set(src, tokens(src));
  const p = new ExpressionParser(parsedTokens.get(src), scope);
  const v = p.conditional();
  if (p.at < p.tokens.length) return UNKNOWN;
  return v;
}

class ExpressionParser {
  constructor(toks, scope) {
    this.tokens = toks;
    this.at = 0;
    this.scope = scope;
  }

  isOp(v) {
    const t = this.tokens[this.at];
    return t?.t === 'op' && t.v === v;
  }

  take(v) {
    if (!this.isOp(v)) throw new Error(`expected ${v}`);
    this.at += 1;
  }

  conditional() {
    const cond = this.binary(0);
    if (!this.isOp('?')) return cond;
    this.at += 1;
    const yes = this.conditional();
    this.take(':');
    const no = this.conditional();
    if (cond === UNKNOWN) return UNKNOWN;
    return cond ? yes : no;
  }

  binary(level) {
    if (level === LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    while (LEVELS[level].some((op) => this.isOp(op))) {
      const op = this.tokens[this.at].v;
      this.at += 1;
      const right = this.binary(level + 1);
      left = apply(op, left, right);
    }
    return left;
  }

  unary() {
    if (this.isOp('!')) {
      this.at += 1;
      const v = this.unary();
      return v === UNKNOWN ? UNKNOWN : !v;
    }
    if (this.isOp('-')) {
      this.at += 1;
      const v = this.unary();
      return v === UNKNOWN ? UNKNOWN : -v;
    }
    return this.postfix(this.primary());
  }

  primary() {
    const t = this.tokens[this.at];
    this.at += 1;
    if (t.t === 'num') return t.v;
    if (t.t === 'str') return evaluateTemplate(t.v.replace(/\\(["\\])/g, '$1'), this.scope);
    if (t.t === 'op' && t.v === '(') {
      const v = this.conditional();
      this.take(')');
      return v;
    }
    if (t.t === 'op' && t.v === '[') return this.list();
    if (t.t === 'op' && t.v === '{') return this.object();
    if (t.t !== 'id') throw new Error(`unexpected ${t.v}`);
    if (t.v === 'true') return true;
    if (t.v === 'false') return false;
    if (t.v === 'null') return null;
    if (this.isOp('(')) return this.call(t.v);
    return this.reference(t.v);
  }

  list() {
    if (this.tokens[this.at]?.v === 'for') return this.forExpression(']');
    const items = [];
    while (!this.isOp(']')) {
      items.push(this.conditional());
      if (this.isOp(',')) this.at += 1;
    }
    this.at += 1;
    return items;
  }

  object() {
    if (this.tokens[this.at]?.v === 'for') return this.forExpression('}');
    const out = {};
    while (!this.isOp('}')) {
      const key = this.tokens[this.at];
      this.at += 1;
      this.at += 1; // = or :
      const v = this.conditional();
      out[key.t === 'str' ? key.v : key.v] = v;
      if (this.isOp(',')) this.at += 1;
    }
    this.at += 1;
    return out;
  }

  /**
   * `[for k, v in coll : value if cond]` or `{for k, v in coll : key => value if cond}`: the body
   * is parsed again for each element, with the iteration names in scope.
   */
  forExpression(close) {
    this.at += 1; // for
    const names = [this.tokens[this.at].v];
    this.at += 1;
    if (this.isOp(',')) {
      names.push(this.tokens[this.at + 1].v);
      this.at += 2;
    }
    this.at += 1; // in
    const coll = this.conditional();
    this.take(':');
    const body = this.at;
    const outer = this.scope;
    const run = (key, value) => {
      this.at = body;
      const iter =
        names.length === 2 ? { [names[0]]: key, [names[1]]: value } : { [names[0]]: value };
      this.scope = { ...outer, iter: { ...outer.iter, ...iter } };
      const k = close === '}' ? this.conditional() : undefined;
      if (close === '}') this.take('=>');
      const v = this.conditional();
      const keep = this.tokens[this.at]?.v === 'if' ? (this.at++, this.conditional()) : true;
      this.scope = outer;
      return { k, v, keep };
    };
    const unknown = coll === UNKNOWN || coll === null;
    const results = unknown ? [] : entriesOf(coll).map(([k, v]) => run(k, v));
    if (unknown || results.length === 0) run(UNKNOWN, UNKNOWN); // to find the body's end
    this.take(close);
    if (unknown || results.some((r) => r.keep === UNKNOWN)) return UNKNOWN;
    const kept = results.filter((r) => r.keep);
    if (close === ']') return kept.map((r) => r.v);
    if (kept.some((r) => typeof r.k !== 'string')) return UNKNOWN;
    return Object.fromEntries(kept.map((r) => [r.k, r.v]));
  }

  call(name) {
    this.take('(');
    const args = [];
    while (!this.isOp(')')) {
      args.push(this.conditional());
      if (this.isOp('...')) this.at += 1;
      if (this.isOp(',')) this.at += 1;
    }
    this.at += 1;
    const fn = FUNCTIONS[name];
    if (!fn || args.some(isUnknown)) return UNKNOWN;
    return fn(...args);
  }

  reference(root) {
    const names = [root];
    while (this.isOp('.') && this.tokens[this.at + 1]?.t === 'id') {
      names.push(this.tokens[this.at + 1].v);
      this.at += 2;
    }
    const path = names.join('.');
    if (root === 'var' && names.length >= 2) {
      if (!(names[1] in this.scope.var)) throw new Error(`undeclared variable ${names[1]}`);
      return this.scope.var[names[1]];
    }
    if (root === 'local' && names.length >= 2) return this.scope.local(names[1]);
    if (this.scope.iter && root in this.scope.iter) {
      return attribute(this.scope.iter[root], names.slice(1));
    }
    if ((root === 'count' || root === 'each') && names.length >= 2) {
      const base = this.scope.self?.[`${root}.${names[1]}`];
      return base === undefined ? UNKNOWN : attribute(base, names.slice(2));
    }
    return this.scope.self?.[path] ?? UNKNOWN;
  }

  postfix(v) {
    while (this.isOp('[') || this.isOp('.')) {
      if (this.isOp('.')) {
        this.at += 2;
        v = UNKNOWN;
        continue;
      }
      this.at += 1;
      const index = this.conditional();
      this.take(']');
      v = v === UNKNOWN || index === UNKNOWN || v === null ? UNKNOWN : (v[index] ?? UNKNOWN);
    }
    return v;
  }
}

function apply(op, a, b) {
  if (op === '&&' && (a === false || b === false)) return false;
  if (op === '||' && (a === true || b === true)) return true;
  if (a === UNKNOWN || b === UNKNOWN) return UNKNOWN;
  switch (op) {
    case '||':
      return a || b;
    case '&&':
      return a && b;
    case '==':
      return JSON.stringify(a) === JSON.stringify(b);
    case '!=':
      return JSON.stringify(a) !== JSON.stringify(b);
    case '<':
      return a < b;
    case '>':
      return a > b;
    case '<=':
      return a <= b;
    case '>=':
      return a >= b;
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    default:
      return a % b;
  }
}
