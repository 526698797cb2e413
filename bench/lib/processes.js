'use strict';
// Child processes of the benchmark: the built app, the baseline server, and their memory.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
/** BENCH_APP_MAIN runs another build as the app (with BENCH_COMPARE_MAIN: an A/B of two other commits). */
const APP_MAIN = process.env.BENCH_APP_MAIN ? path.resolve(process.env.BENCH_APP_MAIN) : path.join(ROOT, 'dist', 'main.js');
/** How `npm start` runs the app (jemalloc preloaded on Linux when installed); it `exec`s node, so the pid is the app's. */
const START_SCRIPT = path.join(ROOT, 'scripts', 'start.sh');
const BASELINE_MAIN = path.join(ROOT, 'bench', 'baseline-server.js');
const NEST_FLOOR_MAIN = path.join(ROOT, 'bench', 'nest-floor.js');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function healthStatus(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/health', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(0));
    req.setTimeout(2000, () => req.destroy());
  });
}

const MYSQL_SERVER = (process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/$/, '');
let mysqlDatabases = 0;

/**
 * BENCH_DB=mysql: a fresh MariaDB database per app (`image_api_bench_test_<pid>_<n>`), dropped by
 * `drop()`; SQLite otherwise (a file in the app's temp dir).
 */
async function benchDatabase(dir) {
  if (process.env.BENCH_DB !== 'mysql')
    return { engine: 'sqlite', url: `sqlite:${path.join(dir, 'bench.db')}`, drop: async () => undefined };
  const mysql = require('mysql2/promise');
  const name = `image_api_bench_test_${process.pid}_${++mysqlDatabases}`;
  const server = await mysql.createConnection(MYSQL_SERVER);
  await server.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await server.end();
  return {
    engine: 'mysql',
    url: `${MYSQL_SERVER}/${name}`,
    drop: async () => {
      const conn = await mysql.createConnection(MYSQL_SERVER);
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await conn.end();
    },
  };
}

/** The allocator settings of the bench's own environment reach the app (MEMORY_ALLOCATOR=system to compare). */
const ALLOCATOR_ENV = /^(MEMORY_ALLOCATOR|LD_PRELOAD|GLIBC_TUNABLES|MALLOC_[A-Z_]+)$/;

function appEnv(dir, port, extra = {}) {
  const allocator = Object.fromEntries(Object.entries(process.env).filter(([key]) => ALLOCATOR_ENV.test(key)));
  return {
    ...allocator,
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    DATABASE_URL: `sqlite:${path.join(dir, 'bench.db')}`,
    UPLOAD_DIR: path.join(dir, 'uploads'),
    STORAGE_DRIVER: 'local',
    SECRET_KEY: 'bench-secret-key-0123456789abcdef0123456789abcdef',
    JWT_SECRET_KEY: 'bench-jwt-secret-0123456789abcdef0123456789abcdef',
    JWT_EXPIRES_IN: '1h',
    AUTH_RATE_LIMIT: '1000',
    ...extra,
  };
}

/**
 * Starts the app as `npm start` does (scripts/start.sh → `node dist/main.js`) in `dir` (SQLite + local disk there) and resolves once /health is
 * 200, with the time that took from spawn. `nodeArgs` go before the script (e.g. --cpu-prof);
 * `main` runs another build (an A/B comparison against another checkout's dist/main.js).
 */
async function startApp(dir, { env = {}, nodeArgs = [], timeoutMs = 30_000, main = APP_MAIN } = {}) {
  if (!fs.existsSync(main)) throw new Error(`${APP_MAIN} is missing: run \`npm run build\` (npm ci does it) first`);
  fs.mkdirSync(dir, { recursive: true });
  const database = await benchDatabase(dir);
  const port = await freePort();
  const started = process.hrtime.bigint();
  const child = spawn('sh', [START_SCRIPT, ...nodeArgs, main], {
    cwd: dir,
    env: appEnv(dir, port, { DATABASE_URL: database.url, ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk) => (output = (output + chunk).slice(-8000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = false;
  child.once('exit', () => (exited = true));
  for (;;) {
    if (exited) {
      await database.drop();
      throw new Error(`the app exited during start-up:\n${output}`);
    }
    if ((await healthStatus(port)) === 200) break;
    if (Number(process.hrtime.bigint() - started) / 1e6 > timeoutMs) {
      child.kill('SIGKILL');
      await database.drop();
      throw new Error(`the app was not healthy within ${timeoutMs} ms:\n${output}`);
    }
    await sleep(10);
  }
  const startupMs = Number(process.hrtime.bigint() - started) / 1e6;
  return {
    kind: 'app',
    child,
    pid: child.pid,
    port,
    dir,
    startupMs,
    database,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    stop: () => stop(child).then(() => database.drop()),
  };
}

/** A reference server: `raw` (node:http + busboy), `rawDecode` (the same + a full sharp decode per upload), `nestFloor`. */
async function startBaseline(dir, kind = 'baseline') {
  fs.mkdirSync(dir, { recursive: true });
  const args =
    kind === 'nestFloor' ? [NEST_FLOOR_MAIN, dir, '0'] : [BASELINE_MAIN, dir, '0', ...(kind === 'rawDecode' ? ['--decode'] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const match = /listening (\d+)/.exec(text);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`the baseline server exited (${code})`)));
  });
  return { kind, child, pid: child.pid, port, dir, url: `http://127.0.0.1:${port}`, stop: () => stop(child) };
}

/** SIGTERM (graceful shutdown; --cpu-prof writes its profile then), SIGKILL after 15 s. */
function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** VmRSS and VmHWM of a process, in bytes, from /proc (Linux only; null elsewhere). */
function memoryOf(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    // RssFile is mapped code and files (the codecs' libraries, paged in on first use); RssAnon the heaps.
    return { rss: kb('VmRSS'), hwm: kb('VmHWM'), anon: kb('RssAnon'), file: kb('RssFile') };
  } catch {
    return null;
  }
}

/** Samples VmRSS every `everyMs`; stop() returns the peak and the sample count. */
function sampleRss(pid, everyMs = 50) {
  let peak = 0;
  let samples = 0;
  const take = () => {
    const mem = memoryOf(pid);
    if (mem) {
      peak = Math.max(peak, mem.rss);
      samples++;
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return { peak, samples };
    },
  };
}

/** User + system CPU of a process (all its threads), in ms, from /proc (Linux only; NaN elsewhere). */
function cpuMsOf(pid, file = `/proc/${pid}/stat`) {
  try {
    const fields = fs.readFileSync(file, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (USER_HZ, 100 on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

/** The CPU of the process's main thread alone (JavaScript, the event loop, what runs on it natively). */
function mainThreadCpuMsOf(pid) {
  return cpuMsOf(pid, `/proc/${pid}/task/${pid}/stat`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** `node --cpu-prof` into BENCH_CPU_PROF, for the app instance a scenario measures; none without it. */
function profileArgs() {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(dir)}`] : [];
}

module.exports = { profileArgs, startApp, startBaseline, memoryOf, sampleRss, cpuMsOf, mainThreadCpuMsOf, sleep, ROOT };
