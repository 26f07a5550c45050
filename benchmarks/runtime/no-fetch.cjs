// Loaded with `node --require` before an emscripten 3.1.6 program: its loader uses `fetch` for
// the .wasm file whenever fetch exists, which fails on a file path in Node 18+. Node 20 and 22 can
// turn fetch off with --no-experimental-fetch; Node 24+ removed that flag, so remove the global.
delete globalThis.fetch;
