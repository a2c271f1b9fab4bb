/**
 * vigil runs with a smaller young generation (--max-semi-space-size, bench/README.md: the scan's
 * peak RSS). The flag only works at start-up, so the `vigil` command's shebang, the image's
 * ENTRYPOINT and the benches must carry the same flags; a change to one must reach the others.
 */
import fs from 'node:fs';
import path from 'node:path';

const REPO = path.join(__dirname, '../../..');
const shebang = fs.readFileSync(path.join(REPO, 'src/cli/main.ts'), 'utf8').split('\n', 1)[0];
const flags = /^#!\/usr\/bin\/env -S node (.*)$/.exec(shebang)?.[1].split(' ') ?? [];

test('the vigil command starts node with a capped young generation', () => {
  expect(flags).toContain('--max-semi-space-size=2');
});

test('the image starts vigil with the same node flags as the vigil command', () => {
  const docker = fs.readFileSync(path.join(REPO, 'Dockerfile'), 'utf8');
  const entry = /^ENTRYPOINT (\[.*\])$/m.exec(docker)?.[1];
  expect(entry && JSON.parse(entry)).toEqual(['node', ...flags, '/app/dist/cli/main.js']);
});
