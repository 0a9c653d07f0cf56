/** What a folder digest is made of: a transcript as its folder listing and stat show it. */
export interface Listed {
  path: string;
  /** Undefined for a file that could not be stat'ed. */
  size?: number;
  mtimeMs?: number;
  identity?: string;
}

/**
 * A project folder's transcripts as one hash of their paths, sizes,
 * modification times and inodes: the same comparison a scan makes file by
 * file (resumeFrom), made for the whole folder. Equal digests mean no
 * transcript in it was added, removed, replaced, written or touched. The sum
 * of each file's hash: independent of listing order, and nothing to sort.
 */
export function folderDigest(files: Iterable<Listed>): string {
  let sum = 0n;
  for (const f of files) sum += BigInt(Bun.hash(f.size === undefined ? `${f.path}\0?` : `${f.path}\0${f.size}\0${f.mtimeMs}\0${f.identity}`));
  return BigInt.asUintN(64, sum).toString(36);
}
