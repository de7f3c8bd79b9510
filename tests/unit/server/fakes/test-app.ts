/**
 * Builds the real app around a FakeEngine and a real ShellRunner, for
 * app.inject tests of routing, validation and limits without Docker.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { buildSandbox } from '../../../../sandbox-server/src/app.ts';
import { type Config, loadConfig } from '../../../../sandbox-server/src/config.ts';
import type { Containers } from '../../../../sandbox-server/src/docker/containers.ts';
import { newInstanceIdentity } from '../../../../sandbox-server/src/docker/labels.ts';
import type { ShellRunner } from '../../../../sandbox-server/src/runners/shell-runner.ts';
import { FakeEngine } from './fake-engine.ts';

export interface TestApp {
  app: FastifyInstance;
  engine: FakeEngine;
  containers: Containers;
  config: Config;
  shell: ShellRunner;
}

/** Settings of every app under test: quiet, no warm pool, the default Host allow-list. */
export const TEST_ENV: Readonly<Record<string, string>> = {
  LOG_LEVEL: 'silent',
  SHELL_POOL_SIZE: '0',
  // app.inject's default Host is localhost:80; listening tests get the loopback names with their own port.
  PORT: '80',
};

export async function buildTestApp(
  env: Record<string, string> = {},
  options: { engine?: FakeEngine; serveSite?: boolean; logger?: FastifyBaseLogger } = {},
): Promise<TestApp> {
  const config = loadConfig({ ...TEST_ENV, ...env });
  const engine = options.engine ?? new FakeEngine();
  const { app, containers, shell } = await buildSandbox({
    config,
    engine,
    identity: newInstanceIdentity(),
    runners: { shell: true, docker: false },
    serveSite: options.serveSite ?? false,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  await app.ready();
  return { app, engine, containers, config, shell: shell as ShellRunner };
}

/** Parses a text/event-stream body into [event, data] pairs. */
export function parseEvents(body: string): Array<[string, unknown]> {
  return body
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const event = block.match(/^event: (.*)$/m)?.[1] ?? 'message';
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice('data: '.length))
        .join('\n');
      return [event, JSON.parse(data)];
    });
}
