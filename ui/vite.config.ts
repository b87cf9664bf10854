import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Tauri expects a fixed dev port and serves `ui/dist` in release builds
// (`build.devUrl` / `build.frontendDist` in tauri.conf.json).
export default defineConfig({
  clearScreen: false,
  esbuild: { jsx: "automatic" },
  server: {
    port: 1420,
    strictPort: true,
    watch: { ignored: ["**/src-tauri/**", "**/target/**"] },
  },
  envPrefix: ["VITE_", "TAURI_ENV_"],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebKitGTK / WKWebView (Safari 15+) and WebView2 (Chromium 105+).
    target: ["es2021", "chrome105", "safari15"],
    sourcemap: false,
    // The main window, and the quick-add window the tray and the shortcut open.
    rollupOptions: {
      input: {
        main: fileURLToPath(new URL("index.html", import.meta.url)),
        quickAdd: fileURLToPath(new URL("quick-add.html", import.meta.url)),
      },
    },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["./src/test/setup.ts"],
    restoreMocks: true,
  },
});
