/** Replaces every secret in a text with `***`, longest first so overlapping secrets vanish whole. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...secrets]
    .filter((s) => s.length > 0)
    .sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join('***');
  }
  return out;
}

/** Quotes an argument for display only (the runner never passes a shell string to anything). */
export function displayArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function displayCommand(tool: string, args: readonly string[], secrets: readonly string[]) {
  return redact([tool, ...args].map(displayArg).join(' '), secrets);
}
