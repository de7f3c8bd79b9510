/**
 * Memory a test can make claims about: heap and Buffer (off-heap) bytes still reachable after a full
 * garbage collection, so what was dropped does not count and what is kept does, however it is held.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export function retainedBytes(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}
