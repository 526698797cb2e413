'use strict';
// The second half of `npm test`: the whole e2e suite again on the other engine pair.
// MariaDB + S3 (s3rver) when a MySQL server answers (MYSQL_TEST_URL, default the machine's
// 127.0.0.1:3306); otherwise SQLite + S3, so a laptop with only Node passes too. CI sets
// REQUIRE_MYSQL=1, which turns "no MySQL server" into a failure, never a skip.
const { spawnSync } = require('node:child_process');
const { createConnection } = require('mysql2/promise');

const SERVER = process.env.MYSQL_TEST_URL ?? 'mysql://root@127.0.0.1:3306';

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
    process.stderr.write(`test: no MySQL server at ${SERVER} (${error.code ?? error.message})\n`);
    return false;
  }
}

async function main() {
  const mysql = await mysqlAnswers();
  if (!mysql && process.env.REQUIRE_MYSQL === '1') {
    process.stderr.write('test: REQUIRE_MYSQL=1 and no MySQL server answers: failing (the MariaDB pass never skips in CI)\n');
    return 1;
  }
  const engine = mysql ? 'mysql' : 'sqlite';
  process.stderr.write(
    mysql
      ? 'test: second pass, e2e on MariaDB + S3 (s3rver)\n'
      : 'test: second pass, e2e on SQLite + S3 (s3rver); start MariaDB (or set MYSQL_TEST_URL) to run the MySQL pass\n',
  );
  const run = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--selectProjects', 'e2e'], {
    stdio: 'inherit',
    env: { ...process.env, TEST_DB: engine, TEST_STORAGE: 's3' },
  });
  return run.status ?? 1;
}

main().then((code) => process.exit(code));
