import { loadConfig } from '../config';
import { bootstrap } from '../bootstrap';
import { findPrincipalByEmail } from '../repositories/principals';
import { issueAccessToken } from '../commands/accessTokens';
import { isStaff } from '../permissions';
import { toActor } from '../repositories/principals';
import { runCli } from './run';

runCli(async () => {
  const email = process.argv[2];
  if (!email) throw new Error('usage: npm run --silent create-token -- <email>');
  const config = loadConfig();
  const { db } = await bootstrap(config, (await import('../logger')).createLogger('silent'));
  try {
    const principal = await findPrincipalByEmail(db, email);
    if (!principal || principal.disabled || !isStaff(toActor(principal))) throw new Error(`no active staff account with email ${email}`);
    const { token } = await issueAccessToken(db, null, principal.id, 'command line');
    console.log(token);
  } finally {
    await db.destroy();
  }
});
