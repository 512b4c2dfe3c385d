/**
 * Holds an SQLite database's exclusive lock for a while, as another process of the app (a
 * migration, a backup tool) would: `tsx sqlite-lock-holder.ts <file> <ms>`. Tells the parent
 * once the lock is held, releases it after `ms`, then exits.
 */
import Database from 'better-sqlite3';

const [filename, ms] = process.argv.slice(2);
const db = new Database(filename!);
db.exec('BEGIN EXCLUSIVE');
process.send?.('locked');
setTimeout(() => {
  db.exec('COMMIT');
  db.close();
  process.exit(0);
}, Number(ms));
