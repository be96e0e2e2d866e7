// WADO-RS of a series into the cache, one instance per request (a few at a time): instances already
// cached are skipped, so running it again after an interruption fetches only what is missing. An
// instance the server cannot deliver is listed with its reason; the others still arrive.
import type { InstanceFailure } from '../../shared/pacs-types';
import type { SeriesCache } from './cache';
import type { PacsClient } from './client';

export const PARALLEL_REQUESTS = 4;

export interface SeriesIds {
  studyInstanceUid: string;
  seriesInstanceUid: string;
}

export interface RetrieveProgress {
  done: number;
  total: number;
  failed: number;
}

export interface Retrieved {
  paths: string[];
  fetched: number;
  cached: number;
  failed: InstanceFailure[];
}

export async function retrieveSeries(
  client: PacsClient,
  cache: SeriesCache,
  ids: SeriesIds,
  options: { signal?: AbortSignal; onProgress?: (p: RetrieveProgress) => void } = {},
): Promise<Retrieved> {
  const { signal, onProgress } = options;
  const sops = await client.listInstances(ids.studyInstanceUid, ids.seriesInstanceUid, signal);
  await cache.touch(ids.seriesInstanceUid);
  const missing = sops.filter((sop) => !cache.has(ids.seriesInstanceUid, sop));
  const result: Retrieved = { paths: [], fetched: 0, cached: sops.length - missing.length, failed: [] };
  const report = () =>
    onProgress?.({ done: result.cached + result.fetched, total: sops.length, failed: result.failed.length });
  report();

  let next = 0;
  const worker = async () => {
    while (next < missing.length) {
      const sopInstanceUid = missing[next++] as string;
      try {
        const bytes = await client.retrieveInstance({ ...ids, sopInstanceUid }, signal);
        await cache.put(ids.seriesInstanceUid, sopInstanceUid, bytes);
        result.fetched++;
      } catch (err) {
        if (signal?.aborted) throw err;
        result.failed.push({ sopInstanceUid, reason: err instanceof Error ? err.message : String(err) });
      }
      report();
    }
  };
  // Every worker settles before a cancel is reported, so no write lands after the caller has moved on.
  const outcomes = await Promise.allSettled(
    Array.from({ length: Math.min(PARALLEL_REQUESTS, missing.length) }, worker),
  );
  const stopped = outcomes.find((o) => o.status === 'rejected');
  if (stopped) throw stopped.reason;
  result.paths = sops
    .filter((sop) => cache.has(ids.seriesInstanceUid, sop))
    .map((sop) => cache.path(ids.seriesInstanceUid, sop));
  return result;
}
