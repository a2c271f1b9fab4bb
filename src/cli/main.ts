#!/usr/bin/env -S node --max-semi-space-size=2
/**
 * The `vigil` command. It only loads the program (src/cli/program.ts) and starts it: from the
 * start-up bundle with its V8 code cache when the build made one, otherwise from the compiled files
 * (src/cli/load-program.ts says why and how).
 *
 * The young generation is capped at 2 MiB a semi-space (V8's default grows it to 16): a scan of
 * 305,001 events and 30,000 addresses peaks at about 96 MiB of RSS instead of 118, no slower
 * (bench/README.md). The flag must be given at start-up, so it is in this line, in the image's
 * ENTRYPOINT and wherever the benches start vigil (scripts/vigil-node-args.js reads it from here).
 */
import { loadProgram } from './load-program';

loadProgram().start();
