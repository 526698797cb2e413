import { settledMemory } from './support/memory';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { makeImage } from './support/images';
import { expectNoInternals } from './support/problem-details';
import { createTestApp, TestApp } from './support/test-app';
import { ImageBody, leftovers, upload } from './support/uploads';
import { registerUser, TestUser } from './support/users';

const SEED = 0x5eed1234;
const CASES = Number(process.env.FUZZ_CASES ?? 400);
const CONCURRENCY = 8;
const EXTENSIONS = ['jpg', 'jpeg', 'png', 'gif', 'webp'];
const ACCEPTABLE = [201, 400, 413, 415, 422];
const GO_TESTDATA = '/usr/share/go-1.19/src/image/testdata';
const GO_FILES = ['video-001.png', 'video-001.interlaced.gif', 'video-001.progressive.jpeg', 'video-001.cmyk.jpeg', 'triangle-001.gif'];

/** mulberry32: a tiny seeded PRNG, so a failing case can be replayed from the seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const int = (rng: Rng, max: number) => Math.floor(rng() * max);
const pick = <T>(rng: Rng, list: readonly T[]): T => list[int(rng, list.length)];

interface Seed {
  name: string;
  bytes: Buffer;
}
interface Case {
  n: number;
  from: string;
  mutations: string[];
  filename: string;
  bytes: Buffer;
}

const DIMENSIONS = [0, 1, 2, 255, 256, 4096, 8191, 16_383, 30_000, 65_535];

/** Rewrites the width/height fields of whichever header the bytes have (CRC fixed for PNG). */
function editDimensions(rng: Rng, b: Buffer): string {
  const w = pick(rng, DIMENSIONS);
  const h = pick(rng, DIMENSIONS);
  if (b.length > 33 && b.readUInt32BE(0) === 0x89504e47) {
    b.writeUInt32BE(w, 16);
    b.writeUInt32BE(h, 20);
    if (rng() < 0.7) b.writeUInt32BE(crc32(b.subarray(12, 29)), 29);
    return `png-ihdr ${w}x${h}`;
  }
  if (b.length > 10 && b.toString('latin1', 0, 3) === 'GIF') {
    b.writeUInt16LE(w, 6);
    b.writeUInt16LE(h, 8);
    return `gif-lsd ${w}x${h}`;
  }
  if (b.length > 30 && b.toString('latin1', 8, 12) === 'WEBP' && b.toString('latin1', 12, 16) === 'VP8 ') {
    b.writeUInt16LE(w & 0x3fff, 26);
    b.writeUInt16LE(h & 0x3fff, 28);
    return `webp-vp8 ${w & 0x3fff}x${h & 0x3fff}`;
  }
  for (let i = 2; i + 9 < b.length; i++) {
    if (b[i] === 0xff && b[i + 1] >= 0xc0 && b[i + 1] <= 0xc2) {
      b.writeUInt16BE(h, i + 5);
      b.writeUInt16BE(w, i + 7);
      return `jpeg-sof ${w}x${h}`;
    }
  }
  return 'no-header';
}

function mutate(rng: Rng, input: Buffer): { bytes: Buffer; mutations: string[] } {
  let b = Buffer.from(input);
  const mutations: string[] = [];
  for (let k = 1 + int(rng, 3); k > 0; k--) {
    const kind = int(rng, 4);
    if (kind === 0) {
      const flips = 1 + int(rng, 16);
      for (let i = 0; i < flips; i++) b[int(rng, b.length)] ^= 1 << int(rng, 8);
      mutations.push(`flip ${flips} bits`);
    } else if (kind === 1) {
      const at = int(rng, b.length);
      const len = 1 + int(rng, 64);
      const fill = pick(rng, [0x00, 0xff, -1]);
      for (let i = at; i < Math.min(b.length, at + len); i++) b[i] = fill < 0 ? int(rng, 256) : fill;
      mutations.push(`overwrite ${len}@${at} with ${fill < 0 ? 'noise' : fill}`);
    } else if (kind === 2) {
      const keep = 1 + int(rng, b.length - 1);
      b = b.subarray(0, keep);
      mutations.push(`truncate to ${keep}`);
    } else {
      mutations.push(editDimensions(rng, b));
    }
  }
  return { bytes: b, mutations };
}

async function seeds(): Promise<Seed[]> {
  const made = await Promise.all(
    (['jpeg', 'png', 'gif', 'webp'] as const).map(async (format) => ({ name: `sharp.${format}`, bytes: await makeImage(format, 96, 64) })),
  );
  const go = existsSync(GO_TESTDATA)
    ? GO_FILES.filter((f) => existsSync(join(GO_TESTDATA, f))).map((f) => ({ name: f, bytes: readFileSync(join(GO_TESTDATA, f)) }))
    : [];
  return [...made, ...go];
}

function cases(from: Seed[]): Case[] {
  const rng = mulberry32(SEED);
  return Array.from({ length: CASES }, (_, n) => {
    const seed = pick(rng, from);
    const { bytes, mutations } = mutate(rng, seed.bytes);
    // Mostly the seed's own extension, so most cases reach the decoder rather than stop at the type check.
    const extension = rng() < 0.3 ? pick(rng, EXTENSIONS) : seed.name.split('.').pop()!;
    return { n, from: seed.name, mutations, filename: `fuzz-${n}.${extension}`, bytes };
  });
}

async function readStored(t: TestApp, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await t.storage.open(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe(`upload fuzzing (seed ${SEED}, ${CASES} cases)`, () => {
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    user = await registerUser(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it(
    'answers every mutated image with 201/400/413/415/422, keeps nothing of a rejected one, and stays up',
    async () => {
      const all = cases(await seeds());
      // Measured once a quarter of the cases ran: allocator arenas, libvips and V8 have grown to
      // their working size by then, and what grows after that is what a leak would look like.
      let before = settledMemory();
      const warmUp = Math.floor(all.length / 4);
      const counts: Record<number, number> = {};
      const unexpected: string[] = [];
      const created: Array<{ image: ImageBody; c: Case }> = [];
      let next = 0;
      const worker = async () => {
        for (let c = all[next++]; c; c = all[next++]) {
          if (next === warmUp) before = settledMemory();
          const res = await upload(t, user, c.bytes, c.filename);
          counts[res.status] = (counts[res.status] ?? 0) + 1;
          if (!ACCEPTABLE.includes(res.status)) {
            unexpected.push(`#${c.n} ${c.from} [${c.mutations.join(', ')}] ${c.filename} → ${res.status} ${res.text}`);
          } else if (res.status === 201) created.push({ image: res.body.data, c });
          else expectNoInternals(res.text);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      const after = settledMemory();
      const rssGrowthMb = (after.rss - before.rss) / 2 ** 20;
      const heapGrowthMb = (after.heapUsed - before.heapUsed) / 2 ** 20;
      process.stdout.write(
        `upload fuzz: ${CASES} cases (seed ${SEED}), by status ${JSON.stringify(counts)}, rss growth ${rssGrowthMb.toFixed(0)} MB, heap growth ${heapGrowthMb.toFixed(0)} MB\n`,
      );

      expect(unexpected).toEqual([]);
      await t.http.get('/health').expect(200);
      expect(rssGrowthMb).toBeLessThan(300);
      // Live JavaScript objects must not pile up with the number of uploads.
      expect(heapGrowthMb).toBeLessThan(50);

      const rows: Array<{ id: string }> = await t.dataSource.query('SELECT id FROM images');
      const { files } = await leftovers(t);
      expect(files).toEqual(rows.map((r) => `images/${r.id}`).sort());
      expect(rows).toHaveLength(created.length);

      for (const { image, c } of created) {
        // At the upload decoder's strictness ('error'): sharp's default ('warning') also refuses GIFs
        // with damaged frame data that the API deliberately accepts.
        const meta = await sharp(await readStored(t, `images/${image.id}`), { failOn: 'error' }).metadata();
        expect({ n: c.n, width: meta.width, height: meta.height }).toEqual({ n: c.n, width: image.width, height: image.height });
      }
    },
    Math.max(120_000, CASES * 200),
  );
});
