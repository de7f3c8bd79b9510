import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { EnvSchema } from '../../../sandbox-server/src/config.ts';
import { validateManifest } from './validate-manifest.ts';

const DIR = join(import.meta.dirname, '..', '..', '..', 'deploy', 'kubernetes');

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: the shape depends on the kind; the schema test checks it
  spec?: any;
}

function load(): { file: string; object: K8sObject }[] {
  return readdirSync(DIR)
    .filter((file) => file.endsWith('.yaml'))
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((document) => {
        if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]?.message}`);
        return { file, object: document.toJS() as K8sObject };
      }),
    );
}

const objects = load();
const byKind = (kind: string) =>
  objects.filter(({ object }) => object.kind === kind).map(({ object }) => object);
const statefulSet = byKind('StatefulSet')[0] as K8sObject;
const server = statefulSet.spec.template.spec.containers.find((c: { name: string }) => c.name === 'server');

describe('deploy/kubernetes', () => {
  it('holds the objects a cluster needs', () => {
    expect(objects.map(({ object }) => object.kind).sort()).toEqual([
      'Ingress',
      'Namespace',
      'NetworkPolicy',
      'PodDisruptionBudget',
      'Service',
      'Service',
      'Service',
      'Service',
      'Service',
      'StatefulSet',
    ]);
  });

  it.each(objects.map(({ file, object }) => [`${file}: ${object.kind} ${object.metadata?.name}`, object]))(
    '%s is valid against the Kubernetes API schema, without unknown fields',
    (_name, object) => {
      expect(validateManifest(object)).toEqual([]);
    },
  );

  it('sets only variables the server knows', () => {
    const known = Object.keys(EnvSchema.properties);
    const names = (server.env as { name: string }[]).map(({ name }) => name);
    expect(names.filter((name) => !known.includes(name))).toEqual([]);
    expect(server.env).toContainEqual({
      name: 'NODE_ID',
      valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
    });
  });

  it('probes the health routes load balancers use', () => {
    expect(server.readinessProbe.httpGet.path).toBe('/api/health/ready');
    expect(server.livenessProbe.httpGet.path).toBe('/api/health/live');
  });

  it('routes each node’s sessions to a Service that selects exactly that pod, the rest to all nodes', () => {
    const services = new Map(byKind('Service').map((service) => [service.metadata.name, service]));
    const paths = byKind('Ingress')[0]?.spec.rules[0].http.paths as {
      path: string;
      backend: { service: { name: string } };
    }[];
    const nodes = Array.from(
      { length: statefulSet.spec.replicas as number },
      (_, i) => `${statefulSet.metadata.name}-${i}`,
    );
    for (const node of nodes) {
      const path = paths.find(({ backend }) => backend.service.name === node);
      expect(path?.path, node).toBe(`/api/sessions/${node}\\.`);
      expect(services.get(node)?.spec.selector).toEqual({ 'statefulset.kubernetes.io/pod-name': node });
      const rule = new RegExp(`^${path?.path}`);
      expect(rule.test(`/api/sessions/${node}.AAAAAAAAAAAAAAAAAAAAAA/run`)).toBe(true);
      expect(rule.test(`/api/sessions/${node}0.AAAAAAAAAAAAAAAAAAAAAA/run`)).toBe(false);
    }
    expect(paths.at(-1)).toMatchObject({
      path: '/',
      pathType: 'Prefix',
      backend: { service: { name: 'dockyard' } },
    });
    expect(services.get('dockyard')?.spec.selector).toEqual(statefulSet.spec.selector.matchLabels);
    expect(services.get(statefulSet.spec.serviceName)?.spec.clusterIP).toBe('None');
  });

  it('keeps every object in one namespace', () => {
    const namespace = byKind('Namespace')[0]?.metadata.name;
    for (const { object } of objects.filter(({ object }) => object.kind !== 'Namespace')) {
      expect(object.metadata.namespace, `${object.kind} ${object.metadata.name}`).toBe(namespace);
    }
  });
});

describe('validateManifest', () => {
  const pdb = () => structuredClone(byKind('PodDisruptionBudget')[0] as K8sObject);

  it('refuses a misspelled field, a wrong type and a missing required field', () => {
    const misspelled = structuredClone(statefulSet);
    misspelled.spec.template.spec.containers[0].readinesProbe =
      misspelled.spec.template.spec.containers[0].readinessProbe;
    expect(validateManifest(misspelled)).toEqual([
      '/spec/template/spec/containers/0/readinesProbe: unknown field',
    ]);

    const wrongType = pdb();
    wrongType.spec.selector.matchLabels = ['app.kubernetes.io/name=dockyard'];
    expect(validateManifest(wrongType).join()).toMatch(/matchLabels must be object/);

    const missing = structuredClone(statefulSet);
    delete missing.spec.selector;
    expect(validateManifest(missing).join()).toMatch(/data\/spec must have required property selector/);
  });

  it('refuses a kind it has no schema for', () => {
    expect(validateManifest({ apiVersion: 'apps/v1', kind: 'Deplyoment' })).toEqual([
      '/: no schema for apiVersion apps/v1, kind Deplyoment',
    ]);
  });
});
