/**
 * Builds the real app around a FakeEngine and a real ShellRunner, for
 * app.inject tests of routing, validation and limits without Docker.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { buildApp } from '../../../../sandbox-server/src/app.ts';
import { type Config, loadConfig } from '../../../../sandbox-server/src/config.ts';
import { Containers } from '../../../../sandbox-server/src/docker/containers.ts';
import { newInstanceIdentity } from '../../../../sandbox-server/src/docker/labels.ts';
import type { Runner, RunnerName } from '../../../../sandbox-server/src/runners/runner.ts';
import { ShellRunner } from '../../../../sandbox-server/src/runners/shell-runner.ts';
import { FakeEngine } from './fake-engine.ts';

export interface TestApp {
  app: FastifyInstance;
  engine: FakeEngine;
  containers: Containers;
  config: Config;
  shell: ShellRunner;
}

export async function buildTestApp(
  env: Record<string, string> = {},
  options: {
    engine?: FakeEngine;
    extraRunners?: Partial<Record<RunnerName, Runner>>;
    serveSite?: boolean;
    logger?: FastifyBaseLogger;
  } = {},
): Promise<TestApp> {
  const config = loadConfig({ LOG_LEVEL: 'silent', SHELL_POOL_SIZE: '0', ...env });
  const engine = options.engine ?? new FakeEngine();
  const containers = new Containers(engine, newInstanceIdentity());
  const runners: Partial<Record<RunnerName, Runner>> = { ...options.extraRunners };
  const app = await buildApp({
    config,
    engine,
    containers,
    runners,
    serveSite: options.serveSite ?? false,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  const shell = new ShellRunner({ config, engine, containers, log: app.log });
  runners.shell = shell;
  shell.start();
  await app.ready();
  return { app, engine, containers, config, shell };
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
