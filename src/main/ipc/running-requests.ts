// Requests in flight by their request id, as the retrieve and segment channels keep them: each runs under
// a signal that its cancel channel (by id) or its caller going away aborts.

export interface RunningRequests {
  /** Whether request `id` is running. */
  has(id: string): boolean;
  /** Aborts every running request. */
  abortAll(): void;
  /** Runs request `id` (aborting an earlier one of that id) until `work` settles. */
  run<T>(id: string, caller: AbortSignal, work: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Aborts request `id`; `cancelled` says whether it was running. */
  cancel(id: string): { cancelled: boolean };
}

export function runningRequests(): RunningRequests {
  const running = new Map<string, AbortController>();
  return {
    has: (id) => running.has(id),
    abortAll: () => {
      for (const controller of running.values()) controller.abort();
    },
    run: async (id, caller, work) => {
      const controller = new AbortController();
      running.get(id)?.abort();
      running.set(id, controller);
      try {
        return await work(AbortSignal.any([controller.signal, caller]));
      } finally {
        if (running.get(id) === controller) running.delete(id);
      }
    },
    cancel: (id) => {
      const controller = running.get(id);
      controller?.abort();
      return { cancelled: controller !== undefined };
    },
  };
}
