// Small helpers the tool models share for reading command lines as the real CLIs do.

/** Value of `--name=value`, `--name value`, `-name=value` or `-name value`. */
export function flag(args, ...names) {
  for (let i = 0; i < args.length; i += 1) {
    for (const name of names) {
      if (args[i] === name && i + 1 < args.length) return args[i + 1];
      if (args[i].startsWith(`${name}=`)) return args[i].slice(name.length + 1);
    }
  }
  return undefined;
}

/** Every value of a repeatable flag. */
export function flags(args, ...names) {
  const values = [];
  for (let i = 0; i < args.length; i += 1) {
    for (const name of names) {
      if (args[i] === name && i + 1 < args.length) values.push(args[i + 1]);
      else if (args[i].startsWith(`${name}=`)) values.push(args[i].slice(name.length + 1));
    }
  }
  return values;
}

export function has(args, ...names) {
  return args.some((a) => names.includes(a));
}

/** Positional arguments: those that are neither flags nor the value of a flag in `valued`. */
export function positionals(args, valued = []) {
  const out = [];
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i];
    if (a.startsWith('-')) {
      if (!a.includes('=') && valued.includes(a)) i += 1;
      continue;
    }
    out.push(a);
  }
  return out;
}

export const ok = (stdout = '', stderr = '') => ({ exitCode: 0, stdout, stderr });
export const fail = (stderr, exitCode = 1) => ({ exitCode, stderr });
