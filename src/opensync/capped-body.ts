/** A response body read up to a cap. */
interface CappedBody {
  text: string;
  /** The body was longer than the cap: the rest was never read, and the connection was dropped. */
  truncated: boolean;
}

/**
 * Reads `response`'s body up to `capBytes` (after decompression, so a small
 * gzip bomb counts at its real size). Past the cap it stops reading and
 * aborts the request: a 100 MB answer never sits in memory whole, nor keeps
 * streaming into a socket nobody reads.
 */
export async function readCapped(response: Response, capBytes: number, abort: AbortController): Promise<CappedBody> {
  if (!response.body) return { text: "", truncated: false };
  const length = Number(response.headers.get("content-length"));
  if (length > capBytes) {
    void response.body.cancel().catch(() => {});
    abort.abort();
    return { text: "", truncated: true };
  }
  // A length that is the body's own (not compressed) and within the cap: read natively, without a copy of its chunks
  // beside their joining (a session's copy of tens of MB was held three times over while it was decoded).
  if (length > 0 && !response.headers.has("content-encoding")) return { text: await response.text(), truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.byteLength > capBytes) {
      chunks.push(value.subarray(0, capBytes - size));
      void reader.cancel().catch(() => {});
      abort.abort();
      return { text: decode(chunks), truncated: true };
    }
    size += value.byteLength;
    chunks.push(value);
  }
  return { text: decode(chunks), truncated: false };
}

function decode(chunks: Uint8Array[]): string {
  return new TextDecoder().decode(Buffer.concat(chunks));
}
