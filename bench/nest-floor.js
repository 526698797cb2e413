'use strict';
// The "Nest floor": the API's routes on bare NestJS 11 + Express — no auth, database, validation,
// logging, interceptors or filters; a Map holds the metadata, busboy streams uploads to disk, as
// in baseline-server.js. What the framework itself costs per request, so the app's overhead above
// it can be told apart from Nest's. Plain JS: decorators are applied with Reflect.decorate.
// Usage: node nest-floor.js <dir> [port]
require('reflect-metadata');
const fs = require('node:fs');
const path = require('node:path');
const { createHash, randomUUID } = require('node:crypto');
const { pipeline } = require('node:stream');
const busboy = require('busboy');
const { NestFactory } = require('@nestjs/core');
const { Controller, Get, Module, Post, Req, Res } = require('@nestjs/common');

const dir = process.argv[2] || fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'nest-floor-'));
const port = Number(process.argv[3] || 0);
fs.mkdirSync(dir, { recursive: true });
const images = new Map();
const publicView = ({ file, ...image }) => image;

function receive(req) {
  return new Promise((resolve, reject) => {
    const parser = busboy({ headers: req.headers, limits: { files: 1, fileSize: 5 * 1024 * 1024 } });
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
      pending = new Promise((ok, fail) => pipeline(stream, fs.createWriteStream(file), (e) => (e ? fail(e) : ok()))).then(() => ({
        id, filename: info.filename, mimeType: info.mimeType, size, checksum: hash.digest('hex'),
        uploadedAt: new Date().toISOString(), url: `/images/${id}/content`, file,
      }));
      // A client gone before 'close' (the end of a load run) leaves no handler: that must not end the server.
      pending.catch(() => undefined);
    });
    parser.on('close', () => (pending ? pending.then(resolve, reject) : reject(new Error('file required'))));
    parser.on('error', reject);
    req.pipe(parser);
  });
}

class ImagesController {
  async upload(req, res) {
    const image = await receive(req);
    images.set(image.id, image);
    res.status(201).location(`/images/${image.id}`);
    return { data: publicView(image) };
  }

  list(req) {
    const page = Math.max(1, Number(req.query.page) || 1);
    const limit = Math.min(100, Math.max(1, Number(req.query.limit) || 20));
    const all = [...images.values()].reverse();
    return { data: all.slice((page - 1) * limit, page * limit).map(publicView), meta: { page, limit, total: all.length, totalPages: Math.ceil(all.length / limit) } };
  }

  findOne(req, res) {
    const image = images.get(req.params.id);
    if (!image) return res.status(404).json({ error: 'not found' });
    return res.json({ data: publicView(image) });
  }

  content(req, res) {
    const image = images.get(req.params.id);
    if (!image) return res.status(404).json({ error: 'not found' });
    res.writeHead(200, { 'Content-Type': image.mimeType, 'Content-Length': image.size, ETag: `"${image.checksum}"` });
    pipeline(fs.createReadStream(image.file), res, () => undefined);
  }
}

const route = (decorator, method, params) => {
  params.forEach((param, index) => param(ImagesController.prototype, method, index));
  Reflect.decorate([decorator], ImagesController.prototype, method, Object.getOwnPropertyDescriptor(ImagesController.prototype, method));
};
route(Post(), 'upload', [Req(), Res({ passthrough: true })]);
route(Get(), 'list', [Req()]);
route(Get(':id'), 'findOne', [Req(), Res()]);
route(Get(':id/content'), 'content', [Req(), Res()]);
Reflect.decorate([Controller('images')], ImagesController);

class FloorModule {}
Reflect.decorate([Module({ controllers: [ImagesController] })], FloorModule);

(async () => {
  const app = await NestFactory.create(FloorModule, { logger: false, bodyParser: false });
  app.getHttpAdapter().getInstance().disable('x-powered-by').set('etag', false);
  app.getHttpServer().keepAliveTimeout = 30_000;
  await app.listen(port, '127.0.0.1');
  process.stdout.write(`listening ${app.getHttpServer().address().port}\n`);
  process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
})();
