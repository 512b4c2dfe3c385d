/**
 * The two table layouts the store reads and writes, found out once per store from the catalog.
 *
 * - `connect-pg-simple`: `sid varchar PRIMARY KEY, sess json, expire timestamp(6)` where
 *   `expire` has no time zone and holds wall-clock time in the connection's TimeZone.
 * - `timestamptz` (tables this store creates): `sid varchar COLLATE "C" PRIMARY KEY, sess json,
 *   expire timestamptz(3)`: an absolute instant to the millisecond, whatever the TimeZone.
 */
export interface TableLayout {
  name: 'connect-pg-simple' | 'timestamptz';
  expireHasTimeZone: boolean;
  sessType: 'json' | 'jsonb';
}

export interface ColumnRow {
  name: string;
  type: string;
}

/**
 * The columns of a table as the data queries will see it: `to_regclass` resolves an unqualified
 * name through the connection's search_path, exactly as the store's own statements do (an
 * information_schema lookup would have to guess the schema). No rows: the table does not exist.
 */
export const describeTable = `
  SELECT a.attname AS name, t.typname AS type
  FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
  WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`;

/** The DDL of tables this store creates (the timestamptz layout). */
export function createTableStatements(table: string): string[] {
  return [
    `CREATE TABLE ${table} (sid varchar COLLATE "C" NOT NULL PRIMARY KEY, sess json NOT NULL, expire timestamptz(3) NOT NULL)`,
    // Unnamed, so PostgreSQL picks a name that fits in 63 characters and is unique in the schema.
    `CREATE INDEX ON ${table} (expire)`,
  ];
}

/** Works out the layout from the columns, or explains what is wrong with the table. */
export function layoutFromColumns(table: string, columns: readonly ColumnRow[]): TableLayout {
  const types = new Map(columns.map((column) => [column.name, column.type]));
  const sid = types.get('sid');
  const sess = types.get('sess');
  const expire = types.get('expire');
  const problems: string[] = [];
  if (sid !== 'varchar' && sid !== 'text') problems.push(`column "sid" must be varchar or text${describe(sid)}`);
  if (sess !== 'json' && sess !== 'jsonb') problems.push(`column "sess" must be json or jsonb${describe(sess)}`);
  if (expire !== 'timestamp' && expire !== 'timestamptz')
    problems.push(`column "expire" must be timestamp or timestamptz${describe(expire)}`);
  if (problems.length > 0)
    throw new Error(`table ${table} does not have a session table's columns: ${problems.join('; ')}`);
  const expireHasTimeZone = expire === 'timestamptz';
  return {
    name: expireHasTimeZone ? 'timestamptz' : 'connect-pg-simple',
    expireHasTimeZone,
    sessType: sess as 'json' | 'jsonb',
  };
}

function describe(type: string | undefined): string {
  return type === undefined ? ' (it is missing)' : ` (it is ${type})`;
}
