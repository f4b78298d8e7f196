#!/usr/bin/env node
/**
 * Decodes a PNG with node:zlib alone and prints how much of it is drawn: its size, how many
 * distinct colours it has, and what fraction of its pixels are not (near) white. Exits 1 when
 * the image looks blank (fewer than MIN_DISTINCT_COLORS colours or less than MIN_INK_FRACTION ink).
 * Why: CI screenshots the benchmark report in headless Chromium; a page whose images failed to
 * load, or a crash that wrote an empty canvas, gives a white PNG that a file-exists check passes.
 * Invariants: supports 8-bit greyscale, RGB, RGBA, grey+alpha and palette PNGs without
 * interlacing (what Chromium writes); anything else is reported as unsupported, not guessed.
 * Usage: node scripts/png-stats.mjs <file.png>
 */
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';

const MIN_DISTINCT_COLORS = 8;
const MIN_INK_FRACTION = 0.01;
/** A channel above this counts as white (anti-aliasing leaves near-white pixels on a white page). */
const WHITE_THRESHOLD = 245;
const CHANNELS_BY_COLOR_TYPE = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

function readChunks(bytes) {
  const signature = '89504e470d0a1a0a';
  if (bytes.subarray(0, 8).toString('hex') !== signature) throw new Error('not a PNG file');
  const chunks = [];
  for (let offset = 8; offset < bytes.length;) {
    const length = bytes.readUInt32BE(offset);
    chunks.push({ type: bytes.toString('latin1', offset + 4, offset + 8), data: bytes.subarray(offset + 8, offset + 8 + length) });
    offset += 12 + length;
  }
  return chunks;
}

function paeth(left, up, upLeft) {
  const estimate = left + up - upLeft;
  const toLeft = Math.abs(estimate - left);
  const toUp = Math.abs(estimate - up);
  const toUpLeft = Math.abs(estimate - upLeft);
  if (toLeft <= toUp && toLeft <= toUpLeft) return left;
  return toUp <= toUpLeft ? up : upLeft;
}

/** Undoes the per-row filters; returns raw pixel rows. */
function unfilter(inflated, width, height, bytesPerPixel) {
  const stride = width * bytesPerPixel;
  const pixels = Buffer.alloc(stride * height);
  for (let row = 0; row < height; row++) {
    const filter = inflated[row * (stride + 1)];
    const source = inflated.subarray(row * (stride + 1) + 1, (row + 1) * (stride + 1));
    const target = pixels.subarray(row * stride, (row + 1) * stride);
    const previous = row === 0 ? Buffer.alloc(stride) : pixels.subarray((row - 1) * stride, row * stride);
    for (let i = 0; i < stride; i++) {
      const left = i >= bytesPerPixel ? target[i - bytesPerPixel] : 0;
      const upLeft = i >= bytesPerPixel ? previous[i - bytesPerPixel] : 0;
      const predictor = [0, left, previous[i], (left + previous[i]) >> 1, paeth(left, previous[i], upLeft)][filter];
      if (predictor === undefined) throw new Error(`unknown PNG filter ${filter} in row ${row}`);
      target[i] = (source[i] + predictor) & 0xff;
    }
  }
  return pixels;
}

function stats(path) {
  const chunks = readChunks(readFileSync(path));
  const header = chunks.find((chunk) => chunk.type === 'IHDR').data;
  const width = header.readUInt32BE(0);
  const height = header.readUInt32BE(4);
  const [bitDepth, colorType, , , interlace] = header.subarray(8, 13);
  const channels = CHANNELS_BY_COLOR_TYPE[colorType];
  if (bitDepth !== 8 || channels === undefined || interlace !== 0) throw new Error(`unsupported PNG: bit depth ${bitDepth}, colour type ${colorType}, interlace ${interlace}`);
  const inflated = inflateSync(Buffer.concat(chunks.filter((chunk) => chunk.type === 'IDAT').map((chunk) => chunk.data)));
  const pixels = unfilter(inflated, width, height, channels);
  const palette = chunks.find((chunk) => chunk.type === 'PLTE')?.data;
  const colors = new Set();
  let inkCount = 0;
  for (let offset = 0; offset < pixels.length; offset += channels) {
    let rgb;
    if (colorType === 3) rgb = palette.subarray(pixels[offset] * 3, pixels[offset] * 3 + 3);
    else if (channels <= 2) rgb = [pixels[offset], pixels[offset], pixels[offset]];
    else rgb = pixels.subarray(offset, offset + 3);
    colors.add((rgb[0] << 16) | (rgb[1] << 8) | rgb[2]);
    if (rgb[0] < WHITE_THRESHOLD || rgb[1] < WHITE_THRESHOLD || rgb[2] < WHITE_THRESHOLD) inkCount += 1;
  }
  return { width, height, distinctColors: colors.size, inkFraction: inkCount / (width * height) };
}

const path = process.argv[2];
if (path === undefined) {
  process.stderr.write('Usage: node scripts/png-stats.mjs <file.png>\n');
  process.exit(2);
}
const result = stats(path);
process.stdout.write(`${JSON.stringify(result)}\n`);
if (result.distinctColors < MIN_DISTINCT_COLORS || result.inkFraction < MIN_INK_FRACTION) {
  process.stderr.write(`${path} looks blank: ${result.distinctColors} colours, ${(result.inkFraction * 100).toFixed(2)}% non-white pixels\n`);
  process.exit(1);
}
