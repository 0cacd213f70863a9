// Placeholder build: copies the static page to dist/ so the pipeline has a real step to run.
import { cpSync, mkdirSync } from 'node:fs';

mkdirSync('dist', { recursive: true });
cpSync('src/index.html', 'dist/index.html');
console.log('web: dist/index.html');
