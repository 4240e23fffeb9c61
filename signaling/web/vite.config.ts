import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defineConfig, type Plugin } from "vite";

// Files worth compressing: text. Pictures and fonts are compressed already.
const compressible = /\.(js|css|html|svg|json|txt|map)$/;

/**
 * precompress writes NAME.gz and NAME.br beside every text file of the
 * bundle, for signalingd to serve as they are (signaling/webassets.go).
 * Both are byte-for-byte reproducible: gzip's header carries no time or
 * name (zlib writes mtime 0), brotli has no header; fixed levels and
 * window sizes make the output depend only on the input.
 */
function precompress(): Plugin {
  return {
    name: "streamchain-precompress",
    apply: "build",
    writeBundle(options) {
      const walk = (dir: string): string[] =>
        readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
      for (const file of walk(options.dir!).filter((f) => compressible.test(f)).sort()) {
        const body = readFileSync(file);
        writeFileSync(`${file}.gz`, gzipSync(body, { level: 9, windowBits: 15, memLevel: 9 }));
        writeFileSync(`${file}.br`, brotliCompressSync(body, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: 11,
            [constants.BROTLI_PARAM_LGWIN]: 22,
            [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
            [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
          },
        }));
      }
    },
  };
}

// The bundle is committed (signaling/web/dist) and embedded into signalingd:
// the build must be reproducible byte for byte (`make web-check`).
export default defineConfig({
  base: "/",
  plugins: [precompress()],
  resolve: {
    // testutil/cosmjs/codec.mjs (the one source of the x/streaming codecs)
    // lives outside this package: resolve its imports from here.
    dedupe: ["cosmjs-types"],
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 1500,
  },
});
