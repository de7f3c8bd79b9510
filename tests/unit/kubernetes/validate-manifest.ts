/**
 * Validates Kubernetes objects offline against the Kubernetes API's OpenAPI schema, as the npm package
 * kubernetes-models ships it (one ajv validator generated per kind from the API's published schema):
 * types, required fields, enums, formats. Those schemas allow fields they do not declare (the API server
 * ignores or refuses them depending on its field validation); kubectl's default is to refuse them, and so
 * does this: the object is wrapped in a proxy that records which fields the validator reads — a generated
 * validator reads every field its schema declares (and every key of a map) — and a field it never read is
 * reported as unknown.
 */
import type { Model } from '@kubernetes-models/base';
import { StatefulSet } from 'kubernetes-models/apps/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Namespace, Service } from 'kubernetes-models/v1';

type ModelClass = { prototype: Model<unknown> };

/** The kinds deploy/kubernetes uses, by `apiVersion/kind`. */
const MODELS: ReadonlyMap<string, ModelClass> = new Map<string, ModelClass>([
  ['v1/Namespace', Namespace],
  ['v1/Service', Service],
  ['apps/v1/StatefulSet', StatefulSet],
  ['networking.k8s.io/v1/Ingress', Ingress],
  ['networking.k8s.io/v1/NetworkPolicy', NetworkPolicy],
  ['policy/v1/PodDisruptionBudget', PodDisruptionBudget],
]);

/** Problems with one object: schema violations and unknown fields, as `path: message`. */
export function validateManifest(object: unknown): string[] {
  if (object === null || typeof object !== 'object') return ['/: not an object'];
  const { apiVersion, kind } = object as { apiVersion?: unknown; kind?: unknown };
  const model = MODELS.get(`${String(apiVersion)}/${String(kind)}`);
  if (!model) return [`/: no schema for apiVersion ${String(apiVersion)}, kind ${String(kind)}`];
  const tracked = trackReads(object);
  try {
    model.prototype.validate.call(tracked.proxy);
  } catch (error) {
    return [`schema: ${(error as Error).message}`];
  }
  return tracked.unread().map((path) => `${path}: unknown field`);
}

function trackReads(root: object): { proxy: object; unread: () => string[] } {
  const objects: { path: string; value: object; read: Set<string> }[] = [];
  const proxies = new WeakMap<object, object>();
  const wrap = (value: unknown, path: string): unknown => {
    if (value === null || typeof value !== 'object') return value;
    const known = proxies.get(value);
    if (known) return known;
    const read = new Set<string>();
    objects.push({ path, value, read });
    const proxy = new Proxy(value, {
      get(target, key, receiver) {
        const field = Reflect.get(target, key, receiver);
        if (typeof key !== 'string') return field;
        read.add(key);
        return wrap(field, `${path}/${key}`);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };
  const proxy = wrap(root, '') as object;
  const unread = () =>
    objects.flatMap(({ path, value, read }) =>
      Array.isArray(value)
        ? []
        : Object.keys(value)
            .filter((key) => !read.has(key))
            .map((key) => `${path}/${key}`),
    );
  return { proxy, unread };
}
