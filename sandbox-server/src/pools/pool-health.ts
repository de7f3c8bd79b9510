/** What a warm pool reports about itself; GET /api/health shows it and the metrics read it. */
export interface PoolHealth {
  /** How many warm entries the pool keeps. */
  target: number;
  /** Started and waiting for work. */
  ready: number;
  /** Being created or started. */
  starting: number;
  /** Taken by a run or a session. */
  inUse: number;
  /** Set while the pool cannot fill (engine unreachable, image missing...): health answers 503. */
  error?: string;
}
