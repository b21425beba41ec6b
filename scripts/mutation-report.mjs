// Writes the surviving and uncovered mutants of the last `npm run mutate` (reports/mutation/
// mutation.json, or the file given) as Markdown, one line each, grouped by file:
// `node scripts/mutation-report.mjs [report.json]`.
import { readFileSync } from 'node:fs';

const report = JSON.parse(
  readFileSync(process.argv[2] ?? 'reports/mutation/mutation.json', 'utf8')
);
const lines = [];
for (const [file, data] of Object.entries(report.files).sort()) {
  const source = data.source.split('\n');
  const left = data.mutants.filter((m) => m.status === 'Survived' || m.status === 'NoCoverage');
  if (left.length === 0) continue;
  lines.push(`\n### ${file}\n`);
  for (const m of left.sort((a, b) => a.location.start.line - b.location.start.line)) {
    const code = source[m.location.start.line - 1].trim().slice(0, 70).replace(/`/g, "'");
    const replacement = String(m.replacement ?? '')
      .split('\n')[0]
      .slice(0, 40)
      .replace(/`/g, "'");
    lines.push(
      `- ${m.location.start.line} ${m.status === 'NoCoverage' ? 'no coverage' : 'survived'}, ${m.mutatorName}: \`${code}\` → \`${replacement}\``
    );
  }
}
process.stdout.write(`${lines.join('\n')}\n`);
