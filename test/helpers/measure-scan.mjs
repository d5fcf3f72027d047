/**
 * Scans files with the built engine (`dist/`) on this thread and prints, as JSON, for each file
 * the CPU time of its fastest scan, the steps the code rules took, the findings by rule and the
 * messages of parse errors, and the process's peak memory (resident set, MB):
 *
 *   node test/helpers/measure-scan.mjs <runs> <file>...
 *
 * CPU time of a process of its own, not the time on the clock: other work on a loaded machine
 * does not count in it. Files are scanned in turn, `runs` rounds, after one scan to warm up.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { lint, resolveRules } = await import(pathToFileURL(path.join(root, 'dist/api/index.js')).href);
const { stepsSpent } = await import(pathToFileURL(path.join(root, 'dist/code/walk.js')).href);

const [runs, ...files] = process.argv.slice(2);
// every file role on: what is measured is the analysis, whatever a file's name or text says it is
const rules = resolveRules('strict', {}, undefined, { test: 'on', frontend: 'on', script: 'on', generated: 'on', infrastructure: 'on' });

async function scan(file) {
  const steps = stepsSpent();
  const before = process.cpuUsage();
  const result = await lint({ cwd: path.dirname(file), files: [file], rules, concurrency: 'off' });
  const used = process.cpuUsage(before);
  const rulesFound = {};
  for (const f of result.findings) rulesFound[f.rule] = (rulesFound[f.rule] ?? 0) + 1;
  return { cpuMs: (used.user + used.system) / 1000, steps: stepsSpent() - steps, findings: rulesFound, messages: result.findings.filter((f) => f.rule === 'parse-error').map((f) => f.message) };
}

await scan(files[0]);
const best = new Map();
for (let round = 0; round < Number(runs); round++) {
  for (const file of files) {
    const m = await scan(file);
    const seen = best.get(file);
    if (!seen || m.cpuMs < seen.cpuMs) best.set(file, m);
  }
}
process.stdout.write(JSON.stringify({ files: files.map((f) => best.get(f)), peakMb: process.resourceUsage().maxRSS / 1024 }));
