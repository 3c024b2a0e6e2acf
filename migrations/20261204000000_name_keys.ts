import type { Knex } from 'knex';

/**
 * Company and project names are unique case-insensitively ("Acme" and "ACME" are one
 * company): `name_key` holds the name folded by JavaScript (trimmed, lower-cased), so both
 * engines fold alike (SQLite's lower() folds ASCII only), and a unique index on it stops two
 * administrators who create "Acme" and "ACME" at the same moment. Written by Portico beside
 * every name (server/repositories/names.ts, the same folding as here).
 *
 * Existing names that already differ only in case keep their rows: the oldest of them gets
 * the key, the others none (NULL, which the index allows), so this never fails on a running
 * desk; renaming one of those gives it its key, or says the name is taken. A name that
 * lower-cases to more than the column holds keeps no key either.
 */
const TABLES = ['companies', 'projects'] as const;

function fold(name: string): string {
  return name.trim().toLowerCase();
}

export async function up(knex: Knex): Promise<void> {
  for (const table of TABLES) {
    await knex.schema.alterTable(table, (t) => {
      t.string('name_key', 200).nullable();
    });
    const rows: { id: number; name: string }[] = await knex(table).orderBy('id').select('id', 'name');
    const taken = new Set<string>();
    for (const r of rows) {
      const key = fold(String(r.name));
      // A name that lower-cases past the column ("İ" is two characters lower-cased) keeps no key, as a duplicate does.
      if (taken.has(key) || key.length > 200) continue;
      taken.add(key);
      await knex(table).where({ id: r.id }).update({ name_key: key });
    }
    await knex.schema.alterTable(table, (t) => {
      t.unique(['name_key']);
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of TABLES) {
    await knex.schema.alterTable(table, (t) => {
      t.dropUnique(['name_key']);
    });
    // A plain DROP COLUMN: knex's SQLite dropColumn rebuilds the table, and dropping the old
    // table would cascade to the rows that reference it.
    await knex.raw(`ALTER TABLE ${table} DROP COLUMN name_key`);
  }
}
