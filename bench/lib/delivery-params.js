'use strict';
// What the delivery scenario asks for, shared by the API run and the sharp-alone reference.

/** The app's defaults (src/images/variants): quality and encoder effort per format. */
function encodeOptions(format) {
  return { jpeg: { quality: 80 }, webp: { quality: 80, effort: 4 }, avif: { quality: 50, effort: 0 } }[format];
}

/** Request i fits into a 512 box, 1 px narrower each time, so every request is a new variant. */
function boxOf(i) {
  return { w: 512 - i, h: 512 };
}

module.exports = { encodeOptions, boxOf };
