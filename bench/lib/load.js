'use strict';
// Load generation (autocannon, keep-alive connections) and the few plain HTTP calls the set-up needs.
const autocannon = require('autocannon');
const { cpuMsOf, mainThreadCpuMsOf } = require('./processes');
const PipelinedRequestsQueue = require('autocannon/lib/pipelinedRequestsQueue');

// autocannon appends every response chunk to a string (`body += chunk`, a UTF-8 decode) in case
// expectBody/verifyBody/onResponse need it; we use none of them, and for 110 KB downloads that
// decode made the client, not the server, the bottleneck (0.85 CPU on the client for 0.3 on the server).
PipelinedRequestsQueue.prototype.addBody = function addBody() {};

const BOUNDARY = '----image-api-bench-7d3f0a9c';
let uploadCounter = 0;

/** A multipart body with one `file` part; the file name is unique per call. */
function multipartBody(bytes, prefix = 'bench') {
  const name = `${prefix}-${process.pid}-${++uploadCounter}.jpg`;
  const head = Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: image/jpeg\r\n\r\n`,
  );
  return Buffer.concat([head, bytes, Buffer.from(`\r\n--${BOUNDARY}--\r\n`)]);
}

const MULTIPART_TYPE = `multipart/form-data; boundary=${BOUNDARY}`;

/**
 * One autocannon run. `upload` (bytes) makes every request a POST /images of those bytes under a
 * fresh file name; otherwise GET `path`. Returns the figures the report needs.
 */
async function runLoad({ url, path = '/images', token, connections, duration, upload, headers: extra = {}, expectStatus, pid }) {
  const headers = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra };
  const request = upload
    ? {
        method: 'POST',
        path: '/images',
        headers: { ...headers, 'content-type': MULTIPART_TYPE },
        setupRequest: (req) => ({ ...req, body: multipartBody(upload) }),
      }
    : { method: 'GET', path, headers };
  const cpuBefore = pid ? cpuMsOf(pid) : NaN;
  const mainBefore = pid ? mainThreadCpuMsOf(pid) : NaN;
  const result = await autocannon({
    url,
    connections,
    duration,
    pipelining: 1,
    timeout: 30,
    requests: [request],
  });
  const seconds = result.duration || duration;
  // A 304 scenario expects 3xx answers; anything else counts as a failure ("non2xx").
  const ok = expectStatus === 304 ? result['3xx'] : result['2xx'];
  // The server's CPU (all threads) per request: steadier than req/s on a shared machine.
  const cpuMs = pid ? cpuMsOf(pid) - cpuBefore : NaN;
  const mainMs = pid ? mainThreadCpuMsOf(pid) - mainBefore : NaN;
  return {
    rps: result.requests.total / seconds,
    // Uploads: payload bytes accepted per second; downloads: bytes read per second (headers included).
    mbps: upload ? (ok * upload.length) / seconds / 1e6 : result.throughput.total / seconds / 1e6,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.requests.total - ok,
    cpuMsPerRequest: cpuMs / result.requests.total,
    // The main thread's share: the part of it that one core bounds (libvips, the thread pool and V8's helpers take the rest).
    mainCpuMsPerRequest: mainMs / result.requests.total,
    total: result.requests.total,
    seconds,
  };
}

async function api(base, method, path, { token, json, body, headers = {} } = {}) {
  const init = { method, headers: { ...headers } };
  if (token) init.headers.authorization = `Bearer ${token}`;
  if (json !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(json);
  } else if (body !== undefined) {
    init.body = body;
  }
  const res = await fetch(base + path, init);
  const buffer = Buffer.from(await res.arrayBuffer());
  let parsed;
  try {
    parsed = JSON.parse(buffer.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, buffer, json: parsed };
}

async function registerAndLogin(base, email, password = 'benchmark-password-1') {
  const reg = await api(base, 'POST', '/auth/register', { json: { email, password } });
  if (reg.status !== 201) throw new Error(`register: ${reg.status} ${reg.buffer}`);
  const login = await api(base, 'POST', '/auth/login', { json: { email, password } });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${login.buffer}`);
  return { userId: reg.json.data.id, token: login.json.data.accessToken };
}

async function uploadOnce(base, token, bytes, prefix = 'setup') {
  const res = await api(base, 'POST', '/images', {
    token,
    body: multipartBody(bytes, prefix),
    headers: { 'content-type': MULTIPART_TYPE },
  });
  if (res.status !== 201) throw new Error(`upload: ${res.status} ${res.buffer.toString('utf8').slice(0, 300)}`);
  return res.json.data;
}

module.exports = { runLoad, api, registerAndLogin, uploadOnce };
