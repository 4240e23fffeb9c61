import { defineConfig } from "vite";

// The bundle is committed (signaling/web/dist) and embedded into signalingd:
// the build must be reproducible byte for byte (`make web-check`).
export default defineConfig({
  base: "/",
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
