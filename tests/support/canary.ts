/**
 * An egress canary: a TCP and a UDP listener on this machine's own (non-loopback) address, which a
 * sandbox would reach through any route it had. An isolation test points its connection attempts here
 * and asserts the canary saw nothing: "blocked" is then told apart from "the internet is unreachable
 * from this machine", and nothing ever leaves the machine if isolation fails.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';

export interface Canary {
  /** The machine's address the listeners are on. */
  address: string;
  /** One port, both protocols. */
  port: number;
  /** Connections and datagrams received so far. */
  contacts(): number;
  close(): Promise<void>;
}

/** The first non-internal IPv4 address that is not a Docker bridge's. */
export function machineAddress(): string {
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    if (name.startsWith('docker') || name.startsWith('br-') || name.startsWith('veth')) continue;
    const found = addresses?.find((a) => a.family === 'IPv4' && !a.internal);
    if (found) return found.address;
  }
  throw new Error('this machine has no non-loopback IPv4 address for an egress canary');
}

export async function startCanary(): Promise<Canary> {
  const address = machineAddress();
  let contacts = 0;
  const tcp = createServer((socket) => {
    contacts++;
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(0, address, resolve);
  });
  const port = (tcp.address() as { port: number }).port;
  const udp = createSocket('udp4');
  udp.on('message', () => {
    contacts++;
  });
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(port, address, resolve);
  });
  return {
    address,
    port,
    contacts: () => contacts,
    close: async () => {
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
      await new Promise<void>((resolve) => udp.close(() => resolve()));
    },
  };
}
