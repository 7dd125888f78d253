/**
 * Once per run, before any test file: the template every test app starts from (support/template.ts),
 * so that no app pays for a new database cluster, the migrations or new CA keys; and the server and
 * CLI compiled once (support/prebuilt.ts) for the tests that start them as processes.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { testConfig } from './support/app.ts';
import { buildEntryPoints } from './support/prebuilt.ts';
import { makeTemplate, templateDir } from './support/template.ts';

/** Inside the repository, so that the bundles find node_modules; one directory per run. */
const prebuiltRoot = fileURLToPath(new URL('../node_modules/.cache/certdesk-test', import.meta.url));

export default async function setup(project: TestProject) {
  // `--project unit` starts no app: no template needed.
  const only = project.vitest.config.project;
  if (only.length > 0 && only.every((name) => name === 'unit')) return undefined;
  const dir = await templateDir();
  const config = testConfig();
  await rm(config.ca.keystoreDir, { recursive: true, force: true });
  await mkdir(prebuiltRoot, { recursive: true });
  const prebuiltDir = await mkdtemp(path.join(prebuiltRoot, 'run-'));
  // esbuild works in its own process, beside the template's database work.
  const [template, prebuilt] = await Promise.all([makeTemplate(config, dir), buildEntryPoints(prebuiltDir)]);
  project.provide('certdeskTemplate', template);
  project.provide('certdeskPrebuilt', prebuilt);
  return async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(prebuiltDir, { recursive: true, force: true });
  };
}
