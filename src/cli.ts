/** `certdesk`: the operator's command line. A command appears here only once it works. */
import { Command } from 'commander';
import { ConfigError, loadConfig } from './config.ts';
import { openDatabase } from './db/database.ts';

const program = new Command()
  .name('certdesk')
  .description('CertDesk 数字证书在线受理平台 · 运维命令行')
  .helpOption('-h, --help', '显示帮助')
  .helpCommand('help [command]', '显示某个命令的帮助')
  .configureOutput({ outputError: (str, write) => write(str) });

program
  .command('migrate')
  .description('应用数据库迁移（内嵌 PGlite，或 DATABASE_URL 指定的 PostgreSQL）')
  .action(async () => {
    const config = loadConfig();
    const database = await openDatabase(config.database);
    try {
      await database.migrate();
      process.stdout.write(`数据库迁移完成（${database.kind === 'pglite' ? config.dataDir : 'PostgreSQL'}）\n`);
    } finally {
      await database.close();
    }
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : `错误：${err instanceof Error ? err.message : String(err)}`}\n`);
  process.exit(1);
});
