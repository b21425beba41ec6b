/**
 * GitHub Actions expressions evaluated with GitHub's own evaluator (@actions/expressions, which
 * @actions/workflow-parser is built on), so a test reads a workflow's `if:` or `with:` as a runner
 * would.
 */
import { data, Evaluator, Lexer, Parser } from '@actions/expressions';

/** The value of `expression` (with or without `${{ }}`) in `context` (plain JSON). */
export function evaluateExpression(
  expression: string,
  context: Record<string, unknown>
): string | boolean {
  const inner = /^\$\{\{([\s\S]*)\}\}$/.exec(expression.trim())?.[1] ?? expression;
  const expr = new Parser(new Lexer(inner).lex().tokens, Object.keys(context), []).parse();
  const value = JSON.parse(JSON.stringify(context), data.reviver) as data.Dictionary;
  const result = new Evaluator(expr, value).evaluate();
  return result instanceof data.BooleanData ? result.value : result.coerceString();
}
