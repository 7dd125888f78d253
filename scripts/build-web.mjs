#!/usr/bin/env node
// Builds the portal into web/dist. With --if-stale it does nothing when the build is newer than
// every source file, so `npm start` and `npm test` only pay for a build after a change.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const web = fileURLToPath(new URL('../web', import.meta.url));
const marker = path.join(web, 'dist', 'index.html');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

const ifStale = process.argv.includes('--if-stale');
if (ifStale && existsSync(marker) && statSync(marker).mtimeMs >= newestMtime(web)) process.exit(0);

process.stdout.write('正在构建前端页面（web/dist）…\n');
await build({ configFile: path.join(web, 'vite.config.ts'), logLevel: 'warn' });
process.stdout.write('前端页面构建完成\n');
