// Just enough of Go's syntax to read the provider's schema declarations: a tokenizer, and a
// parser for expressions (composite literals, calls, selectors, literals, func literals skipped),
// package-level `var` declarations and function bodies' `return` / `x := …` statements.

const PUNCT = [
  '<<=',
  '>>=',
  '&^=',
  '...',
  '&&',
  '||',
  '<-',
  '++',
  '--',
  '==',
  '!=',
  '<=',
  '>=',
  ':=',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '<<',
  '>>',
  '&^'
];

/** Go tokens: { t: 'id' | 'str' | 'num' | 'char' | 'op', v }, comments dropped. */
export function tokenize(src) {
  const out = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '\n' || c === ' ' || c === '\t' || c === '\r') i += 1;
    else if (src.startsWith('//', i)) i = nextIndex(src, '\n', i);
    else if (src.startsWith('/*', i)) i = nextIndex(src, '*/', i) + 2;
    else if (c === '"') {
      let j = i + 1;
      while (src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      out.push({ t: 'str', v: JSON.parse(src.slice(i, j + 1).replace(/\\'/g, "'")) });
      i = j + 1;
    } else if (c === '`') {
      const j = src.indexOf('`', i + 1);
      out.push({ t: 'str', v: src.slice(i + 1, j) });
      i = j + 1;
    } else if (c === "'") {
      let j = i + 1;
      while (src[j] !== "'") j += src[j] === '\\' ? 2 : 1;
      out.push({ t: 'char', v: src.slice(i, j + 1) });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i, i + 200));
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1]))) {
      const m = /^[0-9a-fA-FxXoObB_.eEpP]+/.exec(src.slice(i, i + 100));
      out.push({ t: 'num', v: m[0] });
      i += m[0].length;
    } else {
      const p = PUNCT.find((op) => src.startsWith(op, i)) ?? c;
      out.push({ t: 'op', v: p });
      i += p.length;
    }
  }
  return out;
}

function nextIndex(src, what, from) {
  const at = src.indexOf(what, from);
  return at < 0 ? src.length : at;
}

const CLOSE = { '(': ')', '[': ']', '{': '}' };

/** The index just past the bracket group that opens at `at`. */
function skipGroup(tokens, at) {
  let depth = 0;
  for (let i = at; i < tokens.length; i += 1) {
    const v = tokens[i].t === 'op' ? tokens[i].v : '';
    if (v === '(' || v === '[' || v === '{') depth += 1;
    else if (v === ')' || v === ']' || v === '}') {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
  }
  throw new Error('unbalanced brackets');
}

const BINARY = new Set([
  '+',
  '-',
  '*',
  '/',
  '%',
  '&',
  '|',
  '^',
  '<<',
  '>>',
  '&^',
  '&&',
  '||',
  '==',
  '!=',
  '<',
  '<=',
  '>',
  '>='
]);

/**
 * An expression parser over a token array. Nodes: { k: 'str', v } | { k: 'num', v } |
 * { k: 'ref', name: 'a.b' } | { k: 'call', fn: node, args } | { k: 'lit', type: 'a.b', elems:
 * [{ key?: node, value: node }] } | { k: 'addr', of: node } | { k: 'other' }.
 */
export class Parser {
  constructor(tokens, at = 0) {
    this.tokens = tokens;
    this.at = at;
  }

  peek(offset = 0) {
    return this.tokens[this.at + offset];
  }

  isOp(v, offset = 0) {
    const t = this.peek(offset);
    return t?.t === 'op' && t.v === v;
  }

  expect(v) {
    if (!this.isOp(v)) throw new Error(`expected ${v} at token ${this.at}: ${this.peek()?.v}`);
    this.at += 1;
  }

  expression() {
    let left = this.unary();
    while (this.peek()?.t === 'op' && BINARY.has(this.peek().v)) {
      this.at += 1;
      this.unary();
      left = { k: 'other' };
    }
    return left;
  }

  unary() {
    if (this.isOp('&')) {
      this.at += 1;
      return { k: 'addr', of: this.unary() };
    }
    if (this.isOp('!') || this.isOp('-') || this.isOp('*') || this.isOp('<-')) {
      this.at += 1;
      this.unary();
      return { k: 'other' };
    }
    return this.postfix(this.primary());
  }

  /** A type written before `{` (`[]string`, `map[string]*schema.Schema`) or an operand. */
  primary() {
    const t = this.peek();
    if (!t) throw new Error('unexpected end');
    if (t.t === 'str') {
      this.at += 1;
      return { k: 'str', v: t.v };
    }
    if (t.t === 'num' || t.t === 'char') {
      this.at += 1;
      return { k: 'num', v: t.v };
    }
    if (t.t === 'id' && t.v === 'func') {
      // A func literal or type: its signature, then a body we do not read.
      this.at += 1;
      while (this.at < this.tokens.length && !this.isOp('{')) {
        this.at = this.isOp('(') ? skipGroup(this.tokens, this.at) : this.at + 1;
      }
      this.at = skipGroup(this.tokens, this.at);
      return { k: 'other' };
    }
    if (t.t === 'id' && t.v === 'map') {
      this.at += 1;
      this.at = skipGroup(this.tokens, this.at);
      const value = this.typeName();
      return { k: 'type', name: `map[]${value}` };
    }
    if (this.isOp('[')) {
      this.at = skipGroup(this.tokens, this.at);
      return { k: 'type', name: `[]${this.typeName()}` };
    }
    if (this.isOp('(')) {
      this.at += 1;
      const inner = this.expression();
      this.expect(')');
      return inner;
    }
    if (t.t === 'id') {
      this.at += 1;
      return { k: 'ref', name: t.v };
    }
    throw new Error(`unexpected ${t.v} at token ${this.at}`);
  }

  typeName() {
    let name = '';
    while (this.isOp('*')) {
      this.at += 1;
      name += '*';
    }
    if (this.isOp('[')) {
      this.at = skipGroup(this.tokens, this.at);
      return `${name}[]${this.typeName()}`;
    }
    name += this.peek().v;
    this.at += 1;
    while (this.isOp('.') && this.peek(1)?.t === 'id') {
      name += `.${this.peek(1).v}`;
      this.at += 2;
    }
    return name;
  }

  postfix(node) {
    for (;;) {
      if (this.isOp('.') && this.peek(1)?.t === 'id' && node.k === 'ref') {
        node = { k: 'ref', name: `${node.name}.${this.peek(1).v}` };
        this.at += 2;
      } else if (this.isOp('.') && this.isOp('(', 1)) {
        // A type assertion `.(T)`.
        this.at = skipGroup(this.tokens, this.at + 1);
        node = { k: 'other' };
      } else if (this.isOp('.') && this.peek(1)?.t === 'id') {
        this.at += 2;
        node = { k: 'other' };
      } else if (this.isOp('(')) {
        this.at += 1;
        const args = [];
        while (!this.isOp(')')) {
          args.push(this.expression());
          if (this.isOp('...')) this.at += 1;
          if (this.isOp(',')) this.at += 1;
        }
        this.at += 1;
        node = { k: 'call', fn: node, args };
      } else if (this.isOp('{') && (node.k === 'ref' || node.k === 'type')) {
        node = { k: 'lit', type: node.name, elems: this.elements() };
      } else if (this.isOp('[')) {
        this.at = skipGroup(this.tokens, this.at);
        node = { k: 'other' };
      } else return node;
    }
  }

  /** The elements of a composite literal, `{ key: value, … }` or `{ value, … }`. */
  elements() {
    this.expect('{');
    const elems = [];
    while (!this.isOp('}')) {
      const first = this.isOp('{')
        ? { k: 'lit', type: '', elems: this.elements() }
        : this.expression();
      if (this.isOp(':')) {
        this.at += 1;
        const value = this.isOp('{')
          ? { k: 'lit', type: '', elems: this.elements() }
          : this.expression();
        elems.push({ key: first, value });
      } else elems.push({ value: first });
      if (this.isOp(',')) this.at += 1;
    }
    this.at += 1;
    return elems;
  }
}

/**
 * A file's top-level declarations: `vars` (name → expression) and `funcs` (name → { returns:
 * expression, locals: name → expression }), methods left out.
 */
export function declarations(src) {
  const tokens = tokenize(src);
  const vars = new Map();
  const funcs = new Map();
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i];
    if (t.t === 'id' && t.v === 'var' && tokens[i + 1]?.v === '(') {
      const end = skipGroup(tokens, i + 1);
      i = readVars(tokens, i + 2, end - 1, vars);
      i = end;
    } else if (t.t === 'id' && t.v === 'var') {
      i = readVars(tokens, i + 1, tokens.length, vars, true);
    } else if (t.t === 'id' && t.v === 'func' && tokens[i + 1]?.t === 'id') {
      const name = tokens[i + 1].v;
      const params = tokens[i + 2]?.v === '(' ? parameterNames(tokens, i + 2) : [];
      let j = i + 2;
      while (j < tokens.length && !(tokens[j].t === 'op' && tokens[j].v === '{')) {
        j = tokens[j].v === '(' && tokens[j].t === 'op' ? skipGroup(tokens, j) : j + 1;
      }
      const end = skipGroup(tokens, j);
      funcs.set(name, { params, ...functionBody(tokens, j + 1, end - 1) });
      i = end;
    } else if (t.t === 'op' && (t.v === '(' || t.v === '{' || t.v === '[')) {
      i = skipGroup(tokens, i);
    } else i += 1;
  }
  return { vars, funcs };
}

/** The names of a parameter list opening at `at`: each comma-separated part's first word. */
function parameterNames(tokens, at) {
  const end = skipGroup(tokens, at) - 1;
  const names = [];
  let start = true;
  for (let i = at + 1; i < end; i += 1) {
    const t = tokens[i];
    if (start && t.t === 'id') names.push(t.v);
    start = false;
    if (t.t === 'op' && CLOSE[t.v]) i = skipGroup(tokens, i) - 1;
    else if (t.t === 'op' && t.v === ',') start = true;
  }
  return names;
}

/** `name [Type] = expr` specs from `at` to `end`; one only when `single`. */
function readVars(tokens, at, end, vars, single = false) {
  let i = at;
  while (i < end) {
    const name = tokens[i]?.v;
    let j = i + 1;
    while (j < end && !(tokens[j].t === 'op' && tokens[j].v === '=')) {
      if (tokens[j].t === 'op' && CLOSE[tokens[j].v]) j = skipGroup(tokens, j);
      else if (tokens[j].t === 'id' && tokens[j + 1]?.t === 'id' && j > i + 1) break;
      else j += 1;
    }
    if (!(tokens[j]?.t === 'op' && tokens[j].v === '=')) return j;
    const parser = new Parser(tokens, j + 1);
    try {
      vars.set(name, parser.expression());
    } catch {
      vars.set(name, { k: 'other' });
    }
    i = parser.at;
    if (single) return i;
  }
  return i;
}

/** A function's `return` expressions and `x := expr` locals, read at any depth. */
function functionBody(tokens, at, end) {
  const returns = [];
  const locals = new Map();
  for (let i = at; i < end; i += 1) {
    const t = tokens[i];
    try {
      if (
        t.t === 'id' &&
        t.v === 'return' &&
        !(tokens[i + 1]?.t === 'op' && tokens[i + 1].v === '}')
      ) {
        returns.push(new Parser(tokens, i + 1).expression());
      } else if (t.t === 'id' && tokens[i + 1]?.t === 'op' && tokens[i + 1].v === ':=') {
        locals.set(t.v, new Parser(tokens, i + 2).expression());
      }
    } catch {
      // A statement this reader does not understand holds no schema.
    }
  }
  return { returns, locals };
}
