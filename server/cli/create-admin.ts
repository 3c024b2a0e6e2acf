import { loadConfig } from '../config';
import { bootstrap } from '../bootstrap';
import { createPrincipal } from '../commands/createPrincipal';
import { askHidden } from './prompt';
import { runCli } from './run';

runCli(async () => {
  const email = process.argv[2];
  if (!email) throw new Error('usage: npm run create-admin -- <email>');
  const config = loadConfig();
  const password = process.env.PORTICO_PASSWORD || (await askHidden(`Password for ${email}: `));
  const { db } = await bootstrap(config);
  try {
    const admin = await createPrincipal(db, { type: 'administrator', name: email.split('@')[0] ?? email, email, password }, config.SCRYPT_COST);
    console.log(`Administrator ${admin.email} created (id ${admin.id}). Sign in at /desk/login.`);
  } finally {
    await db.destroy();
  }
});
