/**
 * The worker threads' script: `worker.js` beside this module, which holds both in the compiled tree
 * (`dist/src/cli/fleet/`) and in the bundled CLI (`dist/cli/`, where this code is in a chunk beside
 * the bundled worker).
 */
export const workerScript = (): string => new URL('./worker.js', import.meta.url).href;
