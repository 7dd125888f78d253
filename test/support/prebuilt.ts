/**
 * The server and the `certdesk` CLI compiled once per run, for the tests that start them as
 * processes again and again (embedded-owner, staff-cli, the CA's, the outage tests): the same
 * sources through the same esbuild that tsx uses, bundled, so that a process does not resolve and
 * load some 250 TypeScript modules through tsx's loader each time (~2 s of CPU per process, more
 * than the work most commands do). `import.meta.url` keeps meaning the source file's place, which
 * is how the code finds the migrations and the web build. The operator's own entry points — `npm
 * start`'s `tsx src/server.ts` and `bin/certdesk.mjs` — still start in the tests that say so
 * (process.ts: `viaEntryPoint`).
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface PrebuiltEntryPoints {
  server: string;
  cli: string;
}

/** Each source file's own `import.meta.url` and `import.meta.dirname`, not the bundle's. */
const sourceLocation: Plugin = {
  name: 'source-location',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const contents = text
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
        .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(args.path)));
      return { contents, loader: 'ts' };
    });
  },
};

/**
 * Bundles src/server.ts and src/cli.ts into `outDir`, which must lie inside the repository: the
 * packages stay outside the bundle and are found in its node_modules.
 */
export async function buildEntryPoints(outDir: string): Promise<PrebuiltEntryPoints> {
  if (!path.resolve(outDir).startsWith(root)) throw new Error(`${outDir} is outside ${root}: the bundle would not find node_modules`);
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: { server: path.join(root, 'src/server.ts'), cli: path.join(root, 'src/cli.ts') },
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    // Error classes and functions keep their names, as under tsx.
    keepNames: true,
    logLevel: 'warning',
    plugins: [sourceLocation],
  });
  return { server: path.join(outDir, 'server.mjs'), cli: path.join(outDir, 'cli.mjs') };
}
