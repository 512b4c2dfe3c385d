#!/usr/bin/env node
import { run } from './run';

// The exit status is set rather than forced with process.exit, so pending output is flushed.
// No top-level await: the same file is also built as CommonJS.
void run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then((code) => {
  process.exitCode = code;
});
