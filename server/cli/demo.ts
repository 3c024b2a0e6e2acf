import { loadConfig } from '../config';
import { bootstrap } from '../bootstrap';
import { start, stopOnSignals } from '../main';
import { DEMO_LOGINS, DEMO_PASSWORD, demoLoginsPresent, seedDemo } from '../seeds/demo';
import { runCli } from './run';

runCli(async () => {
  const config = loadConfig();
  const deps = await bootstrap(config);
  const seeded = await seedDemo(deps.db, config.SCRYPT_COST);
  console.log(seeded ? 'Demo data created.' : 'Database already has data: nothing seeded.');
  const running = await start(config, deps);
  stopOnSignals(running);
  const width = Math.max(...DEMO_LOGINS.map((l) => l.email.length));
  console.log(`\nPortico is running at ${running.url}\n`);
  // The logins only where the demo accounts are (a database with other data keeps its own).
  const present = new Set(await demoLoginsPresent(deps.db));
  const logins = DEMO_LOGINS.filter((l) => present.has(l.email));
  if (logins.length === 0) console.log('The demo accounts are not in this database: sign in with its own accounts.');
  else console.log(`Every demo account has the password: ${DEMO_PASSWORD}\n`);
  for (const login of logins) {
    const where = login.realm === 'portal' ? `${running.url}portal/login` : `${running.url}desk/login`;
    console.log(`  ${login.email.padEnd(width)}  ${login.type.padEnd(13)}  ${where}`);
  }
  console.log('\nPress Ctrl+C to stop.');
});
