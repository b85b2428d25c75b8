/**
 * One writer per run: a tab trains and saves a run only while it holds that run's lock, so two
 * tabs of one run never overwrite each other's saves. In the browser these are Web Locks, which
 * the browser releases when the holding tab closes or crashes; where there are none (Node,
 * tests), locks held in this process with the same rules.
 */

export interface RunLease {
  release(): void;
}

export interface RunLocks {
  /** The run's lock if nobody else holds it, else null (at once, without waiting). */
  tryClaim(id: string): Promise<RunLease | null>;
  /** Waits until the run's lock is free, then holds it; rejects when `signal` aborts. */
  claim(id: string, signal: AbortSignal): Promise<RunLease>;
}

const lockName = (id: string) => `tabula-zero-run:${id}`;

/** Locks shared by every tab and worker of this origin. */
export function webLocks(locks: LockManager): RunLocks {
  const hold = (id: string, options: LockOptions) =>
    new Promise<RunLease | null>((resolve, reject) => {
      let release = () => {};
      const held = new Promise<void>((done) => (release = done));
      locks
        .request(lockName(id), options, (lock) => {
          if (!lock) return resolve(null);
          resolve({ release });
          return held; // the lock is ours until release() settles this
        })
        .catch(reject);
    });
  return {
    tryClaim: (id) => hold(id, { ifAvailable: true }),
    claim: async (id, signal) => (await hold(id, { signal }))!,
  };
}

/** Locks within this process only: the same rules for Node and for tests of two controllers. */
export function processLocks(): RunLocks {
  const held = new Set<string>();
  const waiters = new Map<string, (() => void)[]>();
  const lease = (name: string): RunLease => {
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        held.delete(name);
        waiters.get(name)?.shift()?.();
      },
    };
  };
  return {
    async tryClaim(id) {
      const name = lockName(id);
      if (held.has(name)) return null;
      held.add(name);
      return lease(name);
    },
    claim(id, signal) {
      const name = lockName(id);
      return new Promise((resolve, reject) => {
        const take = () => {
          signal.removeEventListener('abort', abort);
          held.add(name);
          resolve(lease(name));
        };
        const abort = () => {
          const queue = waiters.get(name) ?? [];
          if (queue.includes(take)) queue.splice(queue.indexOf(take), 1);
          reject(signal.reason ?? new Error('aborted'));
        };
        if (signal.aborted) return reject(signal.reason ?? new Error('aborted'));
        if (!held.has(name)) return take();
        signal.addEventListener('abort', abort, { once: true });
        if (!waiters.has(name)) waiters.set(name, []);
        waiters.get(name)!.push(take);
      });
    },
  };
}
