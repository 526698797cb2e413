'use strict';
// Summarises a .cpuprofile (node --cpu-prof): self time by function and by package, and the
// inclusive time of the heaviest frames. Usage: node bench/profile-summary.js <file.cpuprofile> [top]
const fs = require('node:fs');

const [file, topArg] = process.argv.slice(2);
const top = Number(topArg) || 25;
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const dt = new Map();
for (let i = 0; i < profile.samples.length; i++) dt.set(profile.samples[i], (dt.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
const total = [...dt.values()].reduce((a, b) => a + b, 0);

const where = (cf) => {
  const url = cf.url || '';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.includes('/dist/')) return 'app (dist)';
  if (url.startsWith('node:') || !url) return cf.url ? 'node core' : `(${cf.functionName || 'native'})`;
  return url;
};
const self = new Map();
const pkg = new Map();
for (const node of profile.nodes) {
  const t = dt.get(node.id) ?? 0;
  const cf = node.callFrame;
  const key = `${cf.functionName || '(anonymous)'} ${cf.url.split('/').slice(-2).join('/')}:${cf.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + t);
  pkg.set(where(cf), (pkg.get(where(cf)) ?? 0) + t);
}
// Inclusive time per package: a sample counts once for every package on its stack.
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const inclusive = new Map();
for (const [id, t] of dt) {
  const seen = new Set();
  for (let n = id; n !== undefined; n = parent.get(n)) seen.add(where(byId.get(n).callFrame));
  for (const p of seen) inclusive.set(p, (inclusive.get(p) ?? 0) + t);
}
const pct = (t) => `${((100 * t) / total).toFixed(1).padStart(5)}%`;
const show = (title, map) => {
  console.log(`\n## ${title}`);
  for (const [k, t] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(t)}  ${k}`);
};
console.log(`total ${(total / 1e6).toFixed(2)} s sampled`);
show('self time by package', pkg);
show('inclusive time by package (on the stack)', inclusive);
show('self time by function', self);
