/**
 * A workload identity provider the README prints, evaluated as Google's pool evaluates it: the
 * exact CEL of its `--attribute-condition` and `--attribute-mapping`, with the shell variables
 * filled in, run by a CEL evaluator against GitHub OIDC claims.
 */
import { run } from '@bufbuild/cel';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './project.js';

export type Claims = Record<string, string>;

export const README = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');

/** The README's bash block that creates the provider `name`. */
export function providerBlock(name: string): string {
  const blocks = [...README.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks.find((b) => new RegExp(`create-oidc ${name} \\\\`).test(b)) ?? '';
}

/** The value of `--flag "..."` in a block. */
export const flagOf = (block: string, name: string) =>
  new RegExp(`--${name} "([^"]*)"`).exec(block)?.[1];

/** A literal `NAME=value` a block assigns (quoted or not). */
export const assignedIn = (block: string, name: string) =>
  new RegExp(`^${name}=("[^"]*"|\\S+)`, 'm').exec(block)?.[1]?.replace(/^"(.*)"$/, '$1');

/** The quick start's `case "$PROJECT_ID"`: each project's ENVIRONMENTS. */
export function environmentsByProject(block: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const m of block.matchAll(/^\s*([\w-]+)\) ENVIRONMENTS="([^"]*)" ;;$/gm)) {
    found.set(m[1]!, m[2]!);
  }
  return found;
}

export function expand(text: string, variables: Record<string, string>): string {
  return text.replace(/\$([A-Z_]+)/g, (_whole, name: string) => {
    if (!(name in variables)) throw new Error(`the test does not know $${name}`);
    return variables[name]!;
  });
}

/** Google refuses a token whose condition is not true, or errs; so does this. */
export function evaluate(expression: string, claims: Claims): unknown {
  try {
    return run(expression, { assertion: new Map(Object.entries(claims)) });
  } catch (error) {
    return error;
  }
}

export interface Provider {
  readonly condition: string;
  readonly deployerExpression: string;
  /** The provider admits the token at all (then the planner binding applies). */
  admits(claims: Claims): boolean;
  /** The provider admits it and maps attribute.deployer to "yes". */
  isDeployer(claims: Claims): boolean;
}

export function provider(block: string, variables: Record<string, string>): Provider {
  const condition = expand(flagOf(block, 'attribute-condition') ?? '', variables);
  const mapping = expand(flagOf(block, 'attribute-mapping') ?? '', variables);
  const deployerExpression =
    mapping
      .replace(/^\^;\^/, '')
      .split(';')
      .find((part) => part.startsWith('attribute.deployer='))
      ?.slice('attribute.deployer='.length) ?? '';
  const admits = (claims: Claims) => evaluate(condition, claims) === true;
  return {
    condition,
    deployerExpression,
    admits,
    isDeployer: (claims) => admits(claims) && evaluate(deployerExpression, claims) === 'yes'
  };
}
