#!/usr/bin/env node
// The `corecheck` bin. It first decides whether the run goes on in a child process with glibc's
// malloc on huge pages (huge-pages.ts); the CLI itself (program.ts) is loaded only where it runs.
import { hugePageEnv, probeHost } from './huge-pages.js';
import { relaunch } from './relaunch.js';

const env = hugePageEnv(probeHost());
if (!env || !(await relaunch(env))) await import('./program.js');
