/**
 * What every run answers (sandbox-server/README.md, "The API contract"): as the JSON body of POST /api/run
 * and as the data of the `exit` event when streaming. A run that times out,
 * is OOM-killed or exits non-zero is still a result, not an error.
 */
import { type Static, Type } from 'typebox';

export const RunResultSchema = Type.Object(
  {
    stdout: Type.String(),
    stderr: Type.String(),
    exitCode: Type.Union([Type.Integer(), Type.Null()], {
      description: 'null when the run was stopped (wall time, output cap) before the code exited',
    }),
    timedOut: Type.Boolean({ description: 'killed at the wall-time limit' }),
    truncated: Type.Boolean({ description: 'output cut at the output limit; the run was then stopped' }),
    oomKilled: Type.Boolean({ description: 'a process was killed for exceeding the memory limit' }),
    durationMs: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);

export type RunResult = Static<typeof RunResultSchema>;
