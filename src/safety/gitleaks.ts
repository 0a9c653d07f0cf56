import { type Detector, type Finding, type Hits } from "./detectors.ts";
import { KeywordScanner, Pairs } from "./keyword-scan.ts";
import { Allowlist, lineAround } from "./gitleaks-allowlists.ts";
import { NO_CREDENTIAL_LABEL, WORDS_NAME, insideArn, isAwsUuidField, isMemberPathOfWords, isStandIn } from "./look-alikes.ts";
import data from "./rules/gitleaks.json" with { type: "json" };
import type { GitleaksRule, GitleaksRules } from "./rules/gitleaks-schema.ts";
import { VARIABLE_NAME } from "./generic/assignment.ts";
import { lineEnd, lineStart } from "./generic/lines.ts";

/**
 * gitleaks' rules (rules/gitleaks.json, converted from its config by scripts/gitleaks-rules.ts),
 * applied as gitleaks applies them: a rule runs when one of its keywords occurs; the secret is its
 * secretGroup (or first non-empty group, or the whole match); it must pass the entropy threshold
 * and no global or rule allowlist (regexes on the secret, the match or the line; stopwords in the
 * secret) may allow it.
 *
 * Rules whose every match starts with a keyword (`anchored`) are tried only where one starts.
 * Rules whose every match contains a keyword (`window`) run only on regions around keyword hits:
 * a region reaches one longest match beyond its outermost hits, so any match holding a hit lies
 * inside it, and a match that touches a region's edge without holding a hit (edges can fake `\b`,
 * `^` or `$`) is ignored and does not consume text. Other rules run on the whole text.
 */

/** Generated and validated by scripts/gitleaks-rules.ts (and by a test): not parsed again at every start. */
export const GITLEAKS = data as GitleaksRules;

const compileAllowlist = (a: GitleaksRule["allowlists"][number]) => new Allowlist(a.target, a.regexes, a.stopwords);

const GLOBAL = new Allowlist("secret", GITLEAKS.allowlist.regexes, GITLEAKS.allowlist.stopwords);

/** Shannon entropy in bits per character, as gitleaks computes it. */
export function shannonEntropy(s: string): number {
  if (s === "") return 0;
  const counts = new Map<string, number>();
  let length = 0;
  for (const c of s) {
    counts.set(c, (counts.get(c) ?? 0) + 1);
    length++;
  }
  let entropy = 0;
  for (const n of counts.values()) {
    const p = n / length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

const NAME_CHAR = /[\w.-]/;

/** ASCII word characters, as \b sees them (NaN, before the start, is not one). */
function isWordChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

interface Match {
  /** Where the match starts and ends in the text, and its secret. */
  start: number;
  end: number;
  secretStart: number;
  secretEnd: number;
}

const isGeneric = (rule: GitleaksRule) => rule.id.startsWith("generic-");

class GitleaksDetector implements Detector {
  readonly keywords: readonly string[];
  private readonly re: RegExp;
  /** For anchored rules: the regex tried at each keyword hit. */
  private readonly sticky: RegExp | null;
  /** The regex starts with \b. */
  private readonly wordStart: boolean;
  /** 1 for the ASCII characters a match can start with. */
  private readonly start = new Uint8Array(128);
  private readonly startBeyondAscii: boolean;
  private readonly allowlists: Allowlist[];
  /** A catch-all rule (generic-api-key): a provider's rule knows its token's shape, `=` inside it too (`_gitlab_session=…`). */
  private readonly generic: boolean;

  constructor(private readonly rule: GitleaksRule) {
    this.generic = isGeneric(rule);
    this.keywords = rule.keywords;
    this.re = new RegExp(rule.regex, "gd");
    this.sticky = rule.anchored ? new RegExp(rule.regex, "yd") : null;
    this.wordStart = rule.regex.startsWith("\\b");
    const start = new RegExp(rule.start ?? "[\\s\\S]");
    for (let c = 0; c < 128; c++) this.start[c] = start.test(String.fromCharCode(c)) ? 1 : 0;
    this.startBeyondAscii = rule.start === undefined || start.test("\u0100");
    this.allowlists = rule.allowlists.map(compileAllowlist);
  }

  find(text: string, hits: Hits, out: Finding[]): void {
    if (this.sticky !== null) {
      this.tryAtHits(text, hits, this.sticky, out);
      return;
    }
    if (this.rule.window === undefined) {
      this.scan(text, text, 0, null, 0, 0, out);
      return;
    }
    // Regions: one longest match (plus one character for edge assertions) around each hit, merged.
    const reach = this.rule.window + 1;
    for (let i = 0; i < hits.length; ) {
      let from = Math.max(0, (hits[i] as number) - reach);
      let to = Math.min(text.length, (hits[i + 1] as number) + reach);
      let j = i + 2;
      while (j < hits.length && (hits[j] as number) - reach <= to) {
        from = Math.min(from, Math.max(0, (hits[j] as number) - reach));
        to = Math.min(text.length, Math.max(to, (hits[j + 1] as number) + reach));
        j += 2;
      }
      this.scan(text, text.slice(from, to), from, hits, i, j, out);
      i = j;
    }
  }

  /** Leftmost-first like a scan of the whole text, since every match starts at a hit. */
  private tryAtHits(text: string, hits: Hits, sticky: RegExp, out: Finding[]): void {
    let done = 0;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (at < done) continue;
      // cheap tests before running the regex: the first character, and \b where the regex starts with it
      const first = text.charCodeAt(at);
      if (first < 128 ? this.start[first] === 0 : !this.startBeyondAscii) continue;
      if (this.wordStart && isWordChar(text.charCodeAt(at - 1)) === isWordChar(first)) continue;
      sticky.lastIndex = at;
      const m = sticky.exec(text);
      if (m === null || m[0] === "") continue;
      done = at + m[0].length;
      const found = this.secretOf(m, 0, at, done);
      if (found && this.accepts(text, found)) out.push({ start: found.secretStart, end: found.secretEnd, kind: this.rule.id, token: true });
    }
  }

  /** Runs the regex over `slice` (text[base...]); with `hits`, only matches holding one of hits[i..j) count. */
  private scan(text: string, slice: string, base: number, hits: Hits | null, i: number, j: number, out: Finding[]): void {
    const re = this.re;
    re.lastIndex = 0;
    let h = i;
    for (let m = re.exec(slice); m !== null; m = re.exec(slice)) {
      const start = base + m.index;
      const end = start + m[0].length;
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      if (hits !== null) {
        // hits are in order of their start: skip those before the match, then look for one inside it
        while (h < j && (hits[h] as number) < start) h += 2;
        let held = false;
        for (let k = h; k < j && (hits[k] as number) < end; k += 2) {
          if ((hits[k + 1] as number) <= end) {
            held = true;
            break;
          }
        }
        if (!held) {
          re.lastIndex = m.index + 1; // an edge artefact: it must not consume a real match
          continue;
        }
      }
      const found = this.secretOf(m, base, start, end);
      if (found && this.accepts(text, found)) out.push({ start: found.secretStart, end: found.secretEnd, kind: this.rule.id, token: true });
    }
  }

  private secretOf(m: RegExpExecArray, base: number, start: number, end: number): Match | null {
    // gitleaks trims newlines off the match
    let s = start;
    let e = end;
    while (s < e && m.input.charCodeAt(s - base) === 10) s++;
    while (e > s && m.input.charCodeAt(e - base - 1) === 10) e--;
    const indices = m.indices;
    if (m.length > 1 && indices) {
      let g = this.rule.secretGroup;
      if (g === undefined) {
        for (let k = 1; k < m.length; k++) {
          if (m[k]) {
            g = k;
            break;
          }
        }
      }
      const span = g === undefined ? undefined : indices[g];
      if (g !== undefined) {
        if (!span || span[1] <= span[0]) return null;
        return { start: s, end: e, secretStart: base + span[0], secretEnd: base + span[1] };
      }
    }
    return e > s ? { start: s, end: e, secretStart: s, secretEnd: e } : null;
  }

  private accepts(text: string, m: Match): boolean {
    const secret = text.slice(m.secretStart, m.secretEnd);
    if (this.rule.entropy !== undefined && shannonEntropy(secret) <= this.rule.entropy) return false;
    if (isDigest(text, m.secretStart, secret) || insideArn(text, m.secretStart) || AWS_RESOURCE_ID.test(secret)) return false;
    const label = text.slice(Math.max(0, m.secretStart - 60), m.secretStart);
    if (isStandIn(secret) || isCodeOrFile(secret) || isMemberAccess(text, m.secretStart, secret) || (this.generic && (isKeywordArgument(secret) || ID_LABEL.test(label))) || NO_CREDENTIAL_LABEL.test(label) || isAwsUuidField(label, secret)) return false;
    const around = (target: "match" | "line") => (target === "match" ? this.matchText(text, m) : lineAround(text, m.start, m.end));
    return !GLOBAL.allows(secret, around) && !this.allowlists.some((a) => a.allows(secret, around));
  }

  /** The match as gitleaks reports it: with the identifier characters its removed prefix took. */
  private matchText(text: string, m: Match): string {
    let s = m.start;
    const limit = m.start - (this.rule.namePrefix ?? 0);
    while (s > limit && s > 0 && NAME_CHAR.test(text.charAt(s - 1))) s--;
    return text.slice(s, m.end);
  }
}

/** gitleaks' rules, its catch-all generic ones apart (the redactor runs them after its own generic rules). */
export function gitleaksDetectors(): { specific: Detector[]; generic: Detector[] } {
  return {
    specific: GITLEAKS.rules.filter((r) => !isGeneric(r)).map((rule) => new GitleaksDetector(rule)),
    generic: GITLEAKS.rules.filter(isGeneric).map((rule) => new GitleaksDetector(rule)),
  };
}

/**
 * Findings of one gitleaks rule alone, as gitleaks validates its rules (global allowlist included).
 * `everywhere` runs its regex over the whole text, as gitleaks does, instead of only around
 * keyword hits: the two must agree.
 */
export function gitleaksFindings(text: string, id: string, everywhere = false): Finding[] {
  const found = GITLEAKS.rules.find((r) => r.id === id);
  if (!found) throw new Error(`no gitleaks rule ${id}`);
  const rule: GitleaksRule = everywhere ? { ...found, anchored: undefined, window: undefined } : found;
  const hits = new Pairs();
  new KeywordScanner(rule.keywords).scan(text, hits);
  for (let i = 0; i < hits.length; i += 2) hits.data[i] = (hits.data[i + 1] as number) - (rule.keywords[hits.data[i] as number] as string).length;
  hits.sortByFirst();
  const out: Finding[] = [];
  if (hits.length > 0) new GitleaksDetector(rule).find(text, hits.data.subarray(0, hits.length), out);
  return out;
}

/**
 * Code and files the generic rule takes for a key's value: a member path of words (`obj1Keys.length`,
 * `win32api.RegEnumKey`), a file's name (`deskey.bin > encrypt1-res.xml`). A key drawn at random
 * has a lone letter between others somewhere, which no word takes (WORDS_NAME).
 */
const FILE_NAME = /^[\w-]+\.(?:xml|json|ya?ml|pem|crt|cer|der|key|bin|txt|cfg|conf|ini|toml|sh|py|js|ts|html?|md|csv|log)$/i;

/**
 * C's and C++'s constants by their marks: a reserved name's leading underscores (`__NFTA_TUNNEL_KEY_IP6_MAX`),
 * Google's `k` before capitalised words (`kApiInt32Size`). A token has small letters where no word starts.
 */
const RESERVED_CONSTANT = /^__?[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;
const K_CONSTANT = /^k(?:[A-Z][a-z]*|\d+)+$/;

/**
 * A name of words joined by underscores, three parts or more (LLVM's TableGen `def int_aarch64_crypto_sm4ekey : Crypto_SM4_2Vector_Intrinsic;`),
 * and a sum of names (ICU's ` * @return the length of the merged sort key, src1Length+src2Length;`): code the rule reads after a key's name.
 */
const UNDERSCORED_NAME = /^[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+){2,}$/;
const NAMES_SUM = /^[A-Za-z_]\w*(?:[+*][A-Za-z_]\w*)+$/;

function isCodeOrFile(secret: string): boolean {
  if (FILE_NAME.test(secret) && WORDS_NAME.test(secret.replace(/\.[a-z]+$/i, ""))) return true;
  if ((UNDERSCORED_NAME.test(secret) && WORDS_NAME.test(secret)) || (NAMES_SUM.test(secret) && secret.split(/[+*]/).every((name) => WORDS_NAME.test(name)))) return true;
  // A constant's name (pkcs11n.h's ` * Input key type:  CKK_NSS_JPAKE_ROUND1`): words in capitals, joined by underscores.
  if ((VARIABLE_NAME.test(secret) || RESERVED_CONSTANT.test(secret) || K_CONSTANT.test(secret)) && WORDS_NAME.test(secret.replace(/^_+|^k/, ""))) return true;
  return isMemberPathOfWords(secret);
}

/**
 * C's and PHP's member access (`sqlite3_api->column_bytes16`): the rule reads the arrow's `>` as an
 * operator, and the member's name after it as a key. A key drawn at random is no name of words.
 */
function isMemberAccess(text: string, start: number, secret: string): boolean {
  return text.startsWith("->", start - 2) && WORDS_NAME.test(secret);
}

/**
 * A keyword argument taken for the value (protobuf's generated `create_key=…,⏎ serialized_pb=b'…'`): the
 * rule's value may hold `=`, for base64's padding, so it runs on over the next name and its `=`. A key
 * has no `=` but at its end; what is assigned after the name is for the rules that read assignments.
 */
const KEYWORD_ARGUMENT = /^([A-Za-z_][A-Za-z0-9_]*)=[^=]/;

function isKeywordArgument(secret: string): boolean {
  const name = KEYWORD_ARGUMENT.exec(secret)?.[1];
  return name !== undefined && WORDS_NAME.test(name);
}

/**
 * An AWS resource's id: its type's prefix and 8 or 17 hex digits (`vpc-0a1b2c3d`, `vatp-0bb32de759a3e19e7` under
 * `"VerifiedAccessTrustProviderId"`, whose Access wakes the rule for a key's name), in every `aws … describe` output.
 */
const AWS_RESOURCE_ID = /^[a-z]{2,8}-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/**
 * A key's id, named so (KMS's `"KeyMaterialId": "<64 hex>"`, `"apiKeyId": …`): the catch-all rule reads the Key in its name, but
 * the value names a key, as a `KeyId` does. An id ends the label, in CamelCase or after a separator.
 */
const ID_LABEL = /(?:[a-z]Id|[_.-][Ii][Dd])["'\x60]?[ \t]*(?::|=|=>)[ \t]*["'\x60]?$/;

/** A content digest named by its algorithm (`sha256:…` of an image, a package): hex that names content, no credential. */
const DIGEST_ALGORITHM = /(?:sha(?:1|224|256|384|512)|md5):$/i;

/**
 * A public key's pin (`Public key pin-sha256: vRU+17…=`, HPKP's `pin-sha256="…"`; node's docs print `ping-sha256`):
 * the base64 SHA-256 of a certificate's public key, published so clients can check it.
 */
const KEY_PIN_LABEL = /\bping?-sha256[ \t]*[:=][ \t]*"?$/i;

function isDigest(text: string, start: number, secret: string): boolean {
  const before = text.slice(Math.max(0, start - 20), start);
  if (/^[A-Za-z0-9+/]{43}=$/.test(secret) && KEY_PIN_LABEL.test(before)) return true;
  return /^[0-9a-f]{32,128}$/.test(secret) && (DIGEST_ALGORITHM.test(before.slice(-7)) || isPodChecksum(text, start, secret));
}

/**
 * A Podfile.lock's pod checksums: the SHA-1 of each pod's spec, one `  Name: <40 hex>` a line under
 * `SPEC CHECKSUMS:` (a diff's +/- before them too). A pod named for what it does (`AppAuth`,
 * `FirebaseAuth`, `DatadogSDK`) sets the rules for a key's name and its 40 hex value off; the
 * heading above the list says they are checksums. Lines are read back to the heading, 500 at
 * most: a large app's lock lists some 300 pods.
 */
const POD_CHECKSUM = /^[ \t]*[+-]?[ \t]+["']?[\w.+/@-]+["']?: [0-9a-f]{40}[ \t]*\r?$/;
const POD_CHECKSUMS_HEADING = /^[ \t]*[+-]?[ \t]*SPEC CHECKSUMS:[ \t]*\r?$/;
const POD_LINES_READ = 500;

function isPodChecksum(text: string, start: number, secret: string): boolean {
  if (secret.length !== 40) return false;
  // Lines are read no further than a checksum's line reaches: a text may be one line of megabytes.
  let from = lineStart(text, start, POD_LINE_MAX);
  if (from === undefined || !POD_CHECKSUM.test(text.slice(from, lineEnd(text, start + 40, POD_LINE_MAX)))) return false;
  for (let n = 0; n < POD_LINES_READ && from > 0; n++) {
    const to = from - 1;
    from = lineStart(text, to, POD_LINE_MAX);
    if (from === undefined) return false;
    const line = text.slice(from, to);
    if (POD_CHECKSUMS_HEADING.test(line)) return true;
    if (!POD_CHECKSUM.test(line)) return false;
  }
  return false;
}

/** How far a checksum's line is read either way. */
const POD_LINE_MAX = 200;
