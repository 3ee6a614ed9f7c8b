// The console's build: one small entry (shell, session, router), every view its own chunk,
// uPlot only in the chunk that draws charts. Shared API types and schemas come from ../src/api.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  // The dev server may read the shared modules in ../src/api (the build reads them anyway).
  server: { fs: { allow: ['..'] } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // Keeps the budget visible: the first load must stay under 300 KB of compressed JS.
    chunkSizeWarningLimit: 300,
  },
});
