/**
 * Once per run, before any test file: the template every test app starts from (support/template.ts),
 * so that no app pays for a new database cluster, the migrations or new CA keys.
 */
import { rm } from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
import { testConfig } from './support/app.ts';
import { makeTemplate, templateDir } from './support/template.ts';

export default async function setup(project: TestProject) {
  // `--project unit` starts no app: no template needed.
  const only = project.vitest.config.project;
  if (only.length > 0 && only.every((name) => name === 'unit')) return undefined;
  const dir = await templateDir();
  const config = testConfig();
  await rm(config.ca.keystoreDir, { recursive: true, force: true });
  project.provide('certdeskTemplate', await makeTemplate(config, dir));
  return () => rm(dir, { recursive: true, force: true });
}
