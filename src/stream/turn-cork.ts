/**
 * Holds a socket's writes back until the end of the event-loop turn, then lets them out together:
 * one system call per socket and turn instead of one per message. On loopback the kernel delivers
 * the bytes inside the sending call, so each write costs tens of microseconds; a server sending
 * many small frames per turn (a venue server, the API's gateway fanning an update out to every
 * client) spent most of its time there. Frames keep their order and boundaries; they leave at most
 * one turn later.
 */
export interface Corkable {
  cork(): void;
  uncork(): void;
  readonly destroyed?: boolean;
  /** Bytes written and not yet handed to the kernel (corked ones included). */
  readonly writableLength: number;
}

/** Held bytes past which a socket's writes leave at once (default): a burst still reaches the kernel in large writes, not at the end of the turn in one piece. */
const RELEASE_AT_BYTES = 64 * 1024;

/** A `ws` WebSocket's underlying socket (not part of ws's typed API, stable since ws 1). */
export function socketOf(ws: object): Corkable | undefined {
  return (ws as { _socket?: Corkable | null })._socket ?? undefined;
}

export class TurnCork {
  private readonly held = new Set<Corkable>();

  /**
   * Corks `socket` until the end of this turn (once per turn, however many writes follow), or
   * until `releaseAt` bytes are held: a sender that limits what it queues to a socket should
   * release well before its limit, so that held bytes alone never reach it.
   */
  hold(socket: Corkable | undefined, releaseAt = RELEASE_AT_BYTES): void {
    if (socket === undefined || socket.destroyed) return;
    if (this.held.has(socket)) {
      if (socket.writableLength < releaseAt) return;
      // A burst: what is held goes now, and the writes that follow are held again.
      socket.uncork();
      socket.cork();
      return;
    }
    if (this.held.size === 0) setImmediate(this.release);
    socket.cork();
    this.held.add(socket);
  }

  /** Sends everything held now. */
  readonly release = (): void => {
    for (const s of this.held) if (!s.destroyed) s.uncork();
    this.held.clear();
  };
}
