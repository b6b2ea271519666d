/**
 * JSON frames, shared by every JSON venue's client, book codec and loopback server: reading a
 * frame into the venue's message shape (fields unchecked until the codec checks them) and
 * writing a typed message out.
 */

/** A wire message as read, before its fields are checked: the venue's field names, values unknown. */
export type Unchecked<M> = { readonly [K in M extends unknown ? keyof M : never]?: unknown };

/** Why a frame is not a JSON object; the codecs report it as is. */
export type NotAnObject = 'not JSON' | 'not an object';

/** The frame as a JSON object with the fields of `M` (unchecked), or why it is not one. */
export function readJsonObject<M>(frame: string): Unchecked<M> | NotAnObject {
  let m: unknown;
  try {
    m = JSON.parse(frame);
  } catch {
    return 'not JSON';
  }
  return m !== null && typeof m === 'object' ? (m as Unchecked<M>) : 'not an object';
}

/** A typed message as its frame. */
export function writeJson<M>(message: M): string {
  return JSON.stringify(message);
}
