/**
 * The test command: prepares a template database for this run (SQLite by default, or
 * PostgreSQL when DATABASE_URL is postgres://), runs mocha over test/**\/*.test.ts (or the
 * files given), drops what it created, and ends with `tests: N passed, N failed`.
 */
import fs from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';
import { createTemplate, dropRunDatabases } from './helpers/databases';

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findTests(full));
    else if (entry.name.endsWith('.test.ts')) out.push(full);
  }
  return out.sort();
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const grepIndex = args.indexOf('--grep');
  const grep = grepIndex >= 0 ? args.splice(grepIndex, 2)[1] : undefined;
  const files = args.length
    ? args.flatMap((f) => (fs.statSync(f).isDirectory() ? findTests(path.resolve(f)) : [path.resolve(f)]))
    : findTests(path.join(__dirname));
  const databaseUrl = process.env.DATABASE_URL;
  const adminUrl = databaseUrl && /^postgres(ql)?:\/\//.test(databaseUrl) ? databaseUrl : null;
  console.log(`Preparing the test database on ${adminUrl ? 'PostgreSQL' : 'SQLite'}...`);
  const env = await createTemplate(adminUrl);
  Object.assign(process.env, env);
  let passed = 0;
  let failed = 0;
  try {
    const mocha = new Mocha({ timeout: 20_000, reporter: 'spec', grep });
    for (const f of files) mocha.addFile(f);
    await mocha.loadFilesAsync();
    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      runner.on('pass', () => (passed += 1));
      runner.on('fail', () => (failed += 1));
    });
  } catch (err) {
    console.error(err);
    failed += 1;
  } finally {
    await dropRunDatabases(env);
  }
  const summary = `tests: ${passed} passed, ${failed} failed`;
  if (process.env.PORTICO_TEST_SUMMARY) fs.writeFileSync(process.env.PORTICO_TEST_SUMMARY, JSON.stringify({ passed, failed }));
  console.log(summary);
  return failed === 0 && passed > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    console.log('tests: 0 passed, 1 failed');
    process.exit(1);
  },
);
