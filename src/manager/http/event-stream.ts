// Writing a Server-Sent Events stream to a client that may not read it: what the socket has
// not taken yet is bounded, and a reader that falls that far behind is cut off (it follows
// again from a fresh snapshot) instead of the manager buffering for it without end.
import type { Writable } from 'node:stream';

/** Unsent bytes a stream may hold before its reader is cut off. */
export const MAX_UNSENT_BYTES = 1024 * 1024;

/** A writer of events and comments to `out`; false once the stream has been cut off or ended. */
export function eventWriter(out: Writable, maxUnsent = MAX_UNSENT_BYTES): { event: (type: string, data: unknown) => boolean; comment: (text: string) => boolean } {
  const write = (text: string): boolean => {
    if (out.writableEnded || out.destroyed) return false;
    if (out.writableLength + Buffer.byteLength(text) > maxUnsent) {
      out.destroy();
      return false;
    }
    out.write(text);
    return true;
  };
  return {
    event: (type, data) => write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`),
    comment: (text) => write(`: ${text}\n\n`),
  };
}
