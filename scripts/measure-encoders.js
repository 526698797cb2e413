// Times the worst variant encodes of a 12 MP photo-like image (noise over gradients), per effort.
// Usage: node scripts/measure-encoders.js [avif|webp] [efforts...]; one encode at a time.
const sharp = require('sharp');
const { availableParallelism } = require('node:os');

async function photo(width = 4000, height = 3000) {
  const raw = Buffer.alloc(width * height * 3);
  let seed = 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const i = (y * width + x) * 3;
      const noise = (seed >> 16) & 63;
      raw[i] = ((x * 255) / width + noise) & 0xff;
      raw[i + 1] = ((y * 255) / height + noise) & 0xff;
      raw[i + 2] = (((x + y) * 128) / width + noise) & 0xff;
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 92 }).toBuffer();
}

async function main() {
  const format = process.argv[2] ?? 'avif';
  const efforts = process.argv.slice(3).map(Number);
  sharp.cache(false);
  const concurrency = Number(process.env.SHARP_CONCURRENCY ?? 0);
  if (concurrency) sharp.concurrency(concurrency);
  const input = await photo();
  console.log(`${format} q=100 of 4000×3000, sharp.concurrency=${sharp.concurrency()}, cpus=${availableParallelism()}`);
  for (const effort of efforts.length ? efforts : [0, 2, 4]) {
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const out = await sharp(input).rotate().toFormat(format, { quality: 100, effort }).toBuffer();
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    console.log(`effort=${effort}: wall ${wall.toFixed(2)} s, cpu ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, ${(out.length / 1e6).toFixed(2)} MB`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
