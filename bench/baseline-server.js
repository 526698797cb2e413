'use strict';
// The benchmark's yardstick: the same four routes as the API with nothing but node:http and
// busboy — no framework, auth, validation or database. Uploads stream to disk through a SHA-256;
// metadata lives in a Map; downloads are fs.createReadStream. Usage: node baseline-server.js <dir> [port] [--decode]
// With --decode ("raw + decode") each upload is also decoded in full by sharp before it is answered:
// the floor for an upload that proves the image's integrity.
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const { createHash, randomUUID } = require('node:crypto');
const { pipeline } = require('node:stream');
const busboy = require('busboy');

const dir = process.argv[2] || fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'baseline-'));
const port = Number(process.argv[3] || 0);
fs.mkdirSync(dir, { recursive: true });
const images = new Map();
const decode = process.argv.includes('--decode');
const sharp = decode ? require('sharp') : undefined;
if (sharp) sharp.cache(false);

function json(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function upload(req, res) {
  let parser;
  try {
    parser = busboy({ headers: req.headers, limits: { files: 1, fileSize: 5 * 1024 * 1024 } });
  } catch {
    return json(res, 400, { error: 'not multipart' });
  }
  let pending;
  parser.on('file', (field, stream, info) => {
    if (field !== 'file' || pending) return stream.resume();
    const id = randomUUID();
    const file = path.join(dir, id);
    const hash = createHash('sha256');
    let size = 0;
    stream.on('data', (chunk) => {
      hash.update(chunk);
      size += chunk.length;
    });
    pending = new Promise((resolve, reject) =>
      pipeline(stream, fs.createWriteStream(file), (error) => (error ? reject(error) : resolve())),
    ).then(async () => {
      if (decode) await sharp(file).raw().toBuffer();
      const image = {
        id,
        filename: info.filename,
        mimeType: info.mimeType,
        size,
        checksum: hash.digest('hex'),
        uploadedAt: new Date().toISOString(),
        url: `/images/${id}/content`,
        file,
      };
      images.set(id, image);
      return image;
    });
    // A client gone before 'close' (the end of a load run) leaves no handler: that must not end the server.
    pending.catch(() => undefined);
  });
  parser.on('close', () => {
    if (!pending) return json(res, 400, { error: 'file required' });
    pending.then(
      (image) => json(res, 201, { data: publicView(image) }, { Location: `/images/${image.id}` }),
      () => json(res, 500, { error: 'write failed' }),
    );
  });
  parser.on('error', () => json(res, 400, { error: 'malformed multipart' }));
  req.pipe(parser);
}

function publicView({ file, ...image }) {
  return image;
}

function list(res, url) {
  const page = Math.max(1, Number(url.searchParams.get('page')) || 1);
  const limit = Math.min(100, Math.max(1, Number(url.searchParams.get('limit')) || 20));
  const all = [...images.values()].reverse();
  const data = all.slice((page - 1) * limit, page * limit).map(publicView);
  json(res, 200, { data, meta: { page, limit, total: all.length, totalPages: Math.ceil(all.length / limit) } });
}

function content(res, image) {
  res.writeHead(200, { 'Content-Type': image.mimeType, 'Content-Length': image.size, ETag: `"${image.checksum}"` });
  pipeline(fs.createReadStream(image.file), res, () => undefined);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const parts = url.pathname.split('/').filter(Boolean);
  if (parts[0] !== 'images' || parts.length > 3) return json(res, 404, { error: 'not found' });
  if (parts.length === 1 && req.method === 'POST') return upload(req, res);
  if (parts.length === 1 && req.method === 'GET') return list(res, url);
  const image = images.get(parts[1]);
  if (!image || req.method !== 'GET') return json(res, 404, { error: 'not found' });
  if (parts.length === 2) return json(res, 200, { data: publicView(image) });
  if (parts[2] === 'content') return content(res, image);
  json(res, 404, { error: 'not found' });
});

server.keepAliveTimeout = 30_000;
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
