/** The `lzma` package (LZMA-JS) ships no types: the synchronous forms used here. */
declare module 'lzma' {
  /** Compresses to the LZMA "alone" format; bytes come back signed (−128…127). */
  export function compress(data: string | ArrayLike<number>, mode: number): number[];
  /** A string when the output is valid UTF-8 without zero bytes, else signed bytes. */
  export function decompress(data: ArrayLike<number>): string | number[];
  const _default: { compress: typeof compress; decompress: typeof decompress };
  export default _default;
}
