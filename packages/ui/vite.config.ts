import { defineConfig } from 'vite';

// The app lives in src/ and builds to dist/, which `git-ml server` serves at /.
export default defineConfig({
  root: 'src',
  base: './',
  build: { outDir: '../dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 400 },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
});
