'use strict';
// The reference for the delivery scenario: the same resize and encode as a cold variant, by sharp alone
// in a plain Node process (its default settings), `connections` at a time. Prints { rps, count, seconds }.
// Usage: node bench/lib/sharp-alone.js <jpeg> <format> <count> <connections>
const sharp = require('sharp');
const { encodeOptions, boxOf } = require('./delivery-params');

async function main([file, format, count, connections]) {
  sharp.cache(false);
  let next = 0;
  const total = Number(count);
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const { w, h } = boxOf(i);
      await sharp(file, { animated: false }).rotate().resize({ width: w, height: h, fit: 'inside' }).toFormat(format, encodeOptions(format)).toBuffer();
    }
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Number(connections) }, worker));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(`${JSON.stringify({ rps: total / seconds, count: total, seconds })}\n`);
}

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
