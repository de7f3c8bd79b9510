import { describe, expect, it } from 'vitest';
import { dockerfileCommand as browserCommand } from '../../../site/run-block/dockerfile-command.ts';
import { dockerfileCommand } from '../../../site/runnable-blocks.ts';

// The browser rebuilds an edited Dockerfile block's command itself (site/runnable-blocks.ts
// cannot ship to the browser); it must be exactly what the doc-tests run.
describe('the browser’s dockerfileCommand', () => {
  it.each([
    ['FROM busybox\nCMD ["echo", "hi"]', {}],
    ['FROM busybox\nCMD ["echo", "hi"]', { tag: 'hello-mine' }],
    ['FROM busybox\nCOPY app.sh /\nCMD ["sh", "/app.sh"]', { tag: 'app:1.0', context: '/tmp/app' }],
    ['FROM busybox\nRUN echo DOCKYARD_DOCKERFILE > /x', {}],
  ])('matches site/runnable-blocks.ts for %j %j', (dockerfile, options) => {
    expect(browserCommand(dockerfile, options)).toBe(dockerfileCommand(dockerfile, options));
  });
});
