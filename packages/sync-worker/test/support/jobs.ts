import { eventKeyOf, normalizePlatform, type SyncJobData } from '@imsync/callbacks';
import { loadSample } from '@imsync/testing';
import type { Db } from '../../src/db.js';
import type { Executor } from '../../src/statements.js';
import { applyEvent, parseJob } from '../../src/apply.js';
import type { HandlerResult } from '../../src/handlers/types.js';

export interface Envelope {
  readonly sdkAppId?: number;
  readonly clientIp?: string | null;
  readonly optPlatform?: string | null;
  readonly receivedAt?: number;
}

/** Received by ingest at this time unless a test says otherwise (after every EventTime of the samples). */
export const RECEIVED_AT = Date.UTC(2024, 0, 1);
export const APP = 1400000001;

/** The job ingest would enqueue for this body (the event key over the body as sent). */
export function jobOf(command: string, body: Record<string, unknown>, env: Envelope = {}): SyncJobData {
  const sdkAppId = env.sdkAppId ?? APP;
  const raw = JSON.stringify({ CallbackCommand: command, ...body });
  return {
    v: 1,
    sdkAppId,
    command,
    clientIp: env.clientIp === undefined ? '10.0.0.1' : env.clientIp,
    optPlatform: env.optPlatform === undefined ? 'Android' : env.optPlatform,
    receivedAt: env.receivedAt ?? RECEIVED_AT,
    eventKey: eventKeyOf(sdkAppId, command, raw),
    body: JSON.parse(raw) as Record<string, unknown>,
  };
}

/** The job of the documented sample of `command` (its own query's SdkAppid, ClientIP and OptPlatform), body changed by `patch`. */
export function sampleJob(
  command: string,
  patch: Record<string, unknown> = {},
  env: Envelope = {},
): SyncJobData {
  const sample = loadSample(command);
  const body: Record<string, unknown> = { ...sample.body, ...patch };
  for (const [k, v] of Object.entries(patch)) if (v === undefined) delete body[k];
  return jobOf(command, body, {
    sdkAppId: Number(sample.query.get('SdkAppid')),
    clientIp: sample.query.get('ClientIP'),
    optPlatform: normalizePlatform(sample.query.get('OptPlatform')),
    ...env,
  });
}

/** What the worker does with a job, without BullMQ: validate it again, apply it in one transaction. */
export async function applyJob(
  db: Db,
  job: SyncJobData,
  name = job.command,
  executor?: Executor,
): Promise<HandlerResult> {
  return applyEvent(db, parseJob(name, job), executor);
}

/** Applies jobs one after the other. */
export async function applyAll(db: Db, jobs: readonly SyncJobData[]): Promise<HandlerResult[]> {
  const results: HandlerResult[] = [];
  for (const job of jobs) results.push(await applyJob(db, job));
  return results;
}
