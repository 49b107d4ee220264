// Draws media/icon.png (128×128): three nodes of a cluster on a ring, one leader, with the links
// between them — a deterministic PNG written with Node's zlib (no image library needed for this).
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const N = 128;
const px = new Uint8Array(N * N * 4);
const put = (x, y, [r, g, b, a]) => {
  if (x < 0 || y < 0 || x >= N || y >= N) return;
  const i = (y * N + x) * 4;
  const al = a / 255;
  px[i] = Math.round(px[i] * (1 - al) + r * al);
  px[i + 1] = Math.round(px[i + 1] * (1 - al) + g * al);
  px[i + 2] = Math.round(px[i + 2] * (1 - al) + b * al);
  px[i + 3] = Math.max(px[i + 3], a);
};
const disc = (cx, cy, r, c) => {
  for (let y = Math.floor(cy - r - 1); y <= cy + r + 1; y++)
    for (let x = Math.floor(cx - r - 1); x <= cx + r + 1; x++) {
      const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
      const cover = Math.max(0, Math.min(1, r + 0.5 - d));
      if (cover > 0) put(x, y, [c[0], c[1], c[2], Math.round(c[3] * cover)]);
    }
};
const line = (x0, y0, x1, y1, w, c) => {
  const len = Math.hypot(x1 - x0, y1 - y0);
  for (let t = 0; t <= len; t += 0.5) disc(x0 + ((x1 - x0) * t) / len, y0 + ((y1 - y0) * t) / len, w / 2, c);
};
disc(64, 64, 62, [30, 41, 59, 255]); // background
const nodes = [0, 1, 2].map((k) => [64 + 36 * Math.sin((k * 2 * Math.PI) / 3), 66 - 36 * Math.cos((k * 2 * Math.PI) / 3)]);
for (let a = 0; a < 3; a++) for (let b = a + 1; b < 3; b++) line(...nodes[a], ...nodes[b], 3, [148, 163, 184, 255]);
nodes.forEach(([x, y], k) => disc(x, y, 14, k === 0 ? [250, 204, 21, 255] : [56, 189, 248, 255]));

// PNG: signature, IHDR, IDAT (filter 0 per row), IEND.
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) Buffer.from(px.subarray(y * N * 4, (y + 1) * N * 4)).copy(raw, y * (N * 4 + 1) + 1);
const png = Buffer.concat([
  Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(new URL('../media/icon.png', import.meta.url), png);
console.log(`media/icon.png: ${png.length} bytes`);
