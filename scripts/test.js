'use strict';
// `npm test`: unit + e2e on SQLite + local disk, then the e2e suite again on MariaDB + S3
// (s3rver) when a MySQL server answers (MYSQL_TEST_URL, default the machine's 127.0.0.1:3306),
// or on SQLite + S3 when none does, so a laptop with only Node passes too; the suites that need
// MySQL itself (schema comparison, two instances) then skip, saying so. CI sets REQUIRE_MYSQL=1,
// which turns "no MySQL server" into a failure, never a skip.
const { spawnSync } = require('node:child_process');
const { createConnection } = require('mysql2/promise');

const SERVER = process.env.MYSQL_TEST_URL ?? 'mysql://root@127.0.0.1:3306';
const say = (message) => process.stderr.write(`test: ${message}\n`);

async function mysqlAnswers() {
  const url = new URL(SERVER);
  try {
    const conn = await createConnection({
      host: url.hostname,
      port: Number(url.port || 3306),
      user: decodeURIComponent(url.username || 'root'),
      password: decodeURIComponent(url.password),
      connectTimeout: 3000,
    });
    await conn.end();
    return true;
  } catch (error) {
    say(`no MySQL server at ${SERVER} (${error.code ?? error.message})`);
    return false;
  }
}

function jest(projects, env) {
  const args = [require.resolve('jest/bin/jest'), ...projects.flatMap((p) => ['--selectProjects', p])];
  return spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;
}

async function main() {
  const mysql = await mysqlAnswers();
  if (!mysql && process.env.REQUIRE_MYSQL === '1') {
    say('REQUIRE_MYSQL=1 and no MySQL server answers: failing (the MariaDB pass never skips in CI)');
    return 1;
  }
  const available = { MYSQL_AVAILABLE: mysql ? '1' : '0' };
  say('first pass: unit, then e2e on SQLite + local disk');
  const first = jest(['unit', 'e2e'], available);
  if (first !== 0) return first;
  const engine = mysql ? 'mysql' : 'sqlite';
  say(`second pass: e2e on ${mysql ? 'MariaDB' : 'SQLite'} + S3 (s3rver)${mysql ? '' : '; start MariaDB (or set MYSQL_TEST_URL) for the MySQL pass'}`);
  return jest(['e2e'], { ...available, TEST_DB: engine, TEST_STORAGE: 's3' });
}

main().then((code) => process.exit(code));
