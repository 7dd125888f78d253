/**
 * `npm run typecheck`: the server (with tests, benchmarks and scripts) and the web, each with its
 * own tsconfig, checked at the same time — two compilers on two cores take the time of the larger.
 * Fails if either fails; each one's errors are printed as tsc prints them.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const check = (project) =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [tsc, '--noEmit', '-p', project], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ project, code, out }));
  });

const results = await Promise.all(['.', 'web'].map(check));
for (const { project, code, out } of results) {
  if (code !== 0) process.stdout.write(`tsc -p ${project}:\n${out}`);
}
const failed = results.filter((r) => r.code !== 0).map((r) => r.project);
if (failed.length > 0) {
  console.error(`类型检查未通过：${failed.join('、')}`);
  process.exit(1);
}
console.log('类型检查通过（服务器与网页）');
