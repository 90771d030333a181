import type { Redis } from 'ioredis';

/**
 * Makes the commands a connection sends during one event-loop turn leave in one socket write.
 *
 * ioredis writes each command to its socket at once: one `write` system call per command. `hold()` corks
 * the connection's socket until the loop's check phase (`setImmediate`), so the commands of every request
 * handled in this turn go out together as one `writev`: under load, one system call per turn instead of one
 * per command. The bytes, their order and each command's reply are what they would be without it; nothing
 * waits longer than the rest of the current turn. Call `hold()` just before issuing commands from a
 * request's handler (the poll phase), not from an immediate: a cork taken in the check phase is released
 * only at the next loop iteration's. It is cheap when the socket is already held, and leaves the socket
 * alone until the connection is ready (ioredis then queues or refuses the command itself).
 */
export interface WriteCoalescer {
  hold(): void;
}

export function coalesceWrites(connection: Redis): WriteCoalescer {
  let held: Redis['stream'] | null = null;
  const release = () => {
    const stream = held;
    held = null;
    stream?.uncork();
  };
  return {
    hold() {
      if (held !== null || connection.status !== 'ready') return;
      const stream = connection.stream;
      if (!stream || stream.destroyed) return;
      stream.cork();
      held = stream;
      setImmediate(release);
    },
  };
}
