// Lets the knex CLI (npx knex migrate:status, migrate:rollback, ...) see the same database as Portico.
import { loadConfig } from './server/config';
import { knexConfig } from './server/db';
import { MIGRATIONS_DIR } from './server/migrate';

const config = loadConfig();

module.exports = {
  ...knexConfig(config.DATABASE_URL),
  migrations: { directory: MIGRATIONS_DIR, loadExtensions: ['.ts'], extension: 'ts' },
};
