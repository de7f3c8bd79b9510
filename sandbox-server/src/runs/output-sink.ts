/** Where a run's output goes as it happens (streamed to the client as SSE when asked for). */
import type { StreamName } from '../docker/demux.ts';

/** Receives output text as it happens; each call is one chunk of one stream. */
export type OutputSink = (stream: StreamName, text: string) => void;
