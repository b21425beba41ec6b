/** Small Markdown helpers shared by the comment, the job summary and the drift issue. */

/** A code fence longer than any backtick run inside the text, so the text cannot close it. */
export function codeBlock(text: string, language = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text.replace(/\n+$/, '')}\n${fence}`;
}

export function details(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

/** Inline code that survives backticks and pipes inside a table cell. */
export function inlineCode(text: string): string {
  const clean = text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return clean.includes('`') ? `\`\` ${clean} \`\`` : `\`${clean}\``;
}

export interface Cut {
  readonly text: string;
  readonly cut: boolean;
}

/** Cuts text to at most `max` characters, ending on a whole line. */
export function cutOnLine(text: string, max: number): Cut {
  if (text.length <= max) return { text, cut: false };
  const head = text.slice(0, Math.max(0, max));
  const lastBreak = head.lastIndexOf('\n');
  return { text: lastBreak > 0 ? head.slice(0, lastBreak) : '', cut: true };
}

/** Cuts text to at most `maxBytes` UTF-8 bytes, ending on a whole line (the summary's unit). */
export function cutOnLineBytes(text: string, maxBytes: number): Cut {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return { text, cut: false };
  // UTF-8 characters take 1 to 4 bytes: shrink the character budget until the bytes fit.
  for (let end = Math.min(text.length, maxBytes); ; end = Math.floor(end * 0.9)) {
    const cut = cutOnLine(text, end);
    if (Buffer.byteLength(cut.text, 'utf8') <= maxBytes) return { text: cut.text, cut: true };
  }
}

export function seconds(ms: number): string {
  return ms >= 60_000
    ? `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`
    : `${(ms / 1000).toFixed(1)} s`;
}
