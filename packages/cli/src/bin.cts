#!/usr/bin/env node
/** The `emotion` command's entry: runs the CLI and turns an unexpected failure into one line. */
import('./cli.js')
  .then(({ main }) => main(process.argv))
  .catch((error: unknown) => {
    console.error('emotion:', error instanceof Error ? error.message : error);
    process.exit(1);
  });
