/** What a folder digest is made of: a transcript as its folder listing and stat show it. */
export interface Listed {
  path: string;
  /** Undefined for a file that could not be stat'ed. */
  size?: number;
  mtimeMs?: number;
  /** Device and inode. */
  dev?: number;
  ino?: number;
}

/** One file's stat numbers, as the bytes hashed (reused: a digest is made per folder of every scan). */
const numbers = new Float64Array(4);

/**
 * A project folder's transcripts as one hash of their paths, sizes,
 * modification times and inodes: the same comparison a scan makes file by
 * file (resumeFrom), made for the whole folder. Equal digests mean no
 * transcript in it was added, removed, replaced, written or touched. The sum
 * of each file's hash: independent of listing order, and nothing to sort.
 * A file's hash is of its stat's numbers as bytes, seeded with its path's
 * hash: 64 bits for each, without turning the numbers into text (which took
 * most of the digests' time in a sync with nothing new). A file not stat'ed
 * hashes NaNs, which no stat gives.
 */
export function folderDigest(files: Iterable<Listed>): string {
  let sum = 0n;
  for (const f of files) {
    numbers[0] = f.size ?? Number.NaN;
    numbers[1] = f.mtimeMs ?? Number.NaN;
    numbers[2] = f.dev ?? Number.NaN;
    numbers[3] = f.ino ?? Number.NaN;
    sum += BigInt(Bun.hash(numbers, Bun.hash(f.path)));
  }
  return BigInt.asUintN(64, sum).toString(36);
}
