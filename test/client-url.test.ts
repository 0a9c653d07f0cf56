import { describe, expect, test } from "bun:test";
import { isLoopback, normalizeUrl } from "../src/opensync/client.ts";
import { maskCredentials } from "../src/opensync/errors.ts";
import { resolveUrl, shownInput } from "../src/opensync/url.ts";

const KEY = "osk_abcdefghijklmnopqrstuvwxyz012345";

describe("normalizeUrl", () => {
  test.each([
    [" https://polished-penguin-622.convex.cloud/ ", "https://polished-penguin-622.convex.site"],
    ["HTTPS://Polished-Penguin-622.Convex.Cloud", "https://polished-penguin-622.convex.site"],
    ["https://polished-penguin-622.convex.site", "https://polished-penguin-622.convex.site"],
    ["https://convex.cloud.example.com/", "https://convex.cloud.example.com"],
    ["https://sync.example.com/opensync//", "https://sync.example.com/opensync"],
    ["http://localhost:3211", "http://localhost:3211"],
    ["http://127.0.0.1:8787/", "http://127.0.0.1:8787"],
  ])("%p becomes %p", (input, expected) => {
    expect(normalizeUrl(input)).toBe(expected);
  });

  test.each([
    ["", "empty"],
    ["   ", "empty"],
    ["polished-penguin-622.convex.cloud", "https://polished-penguin-622.convex.cloud"],
    ["localhost:3000", "Did you mean https://localhost:3000?"],
    ["ftp://example.com", "must start with https://"],
    ["ftp://example.com", "Did you mean https://example.com?"],
    ["htp:/x.convex.site", 'got "htp:/x.convex.site". Did you mean https://x.convex.site?'],
    ["https://user:secret@example.com", "user:password@"],
    ["https://example.com/?a=1", "must not contain ? or #"],
    [KEY, "swapped"],
    [`https://${KEY}.convex.site`, "swapped"],
    ["reminiscent-gull-645", "not an address"],
  ])("%p is refused with a message saying what to do", (input, hint) => {
    expect(() => normalizeUrl(input)).toThrow(hint);
  });

  test("a wrong scheme before no address at all suggests nothing", () => {
    expect(() => normalizeUrl("ftp://x")).toThrow('The OpenSync URL must start with https:// (or http://), got "ftp://x".');
    expect(() => normalizeUrl("ftp://x")).not.toThrow("Did you mean");
  });
});

describe("hosted OpenSync's addresses", () => {
  test.each([
    ["https://app.opensync.dev", "https://api.opensync.dev", "app.opensync.dev is the OpenSync web app"],
    ["https://app.opensync.dev/settings?tab=api", "https://api.opensync.dev", "web app"],
    ["APP.OPENSYNC.DEV", undefined, undefined],
    ["https://APP.OpenSync.dev/", "https://api.opensync.dev", "web app"],
    ["http://opensync.dev", "https://api.opensync.dev", "opensync.dev is the OpenSync website"],
    ["https://www.opensync.dev", "https://api.opensync.dev", "website"],
    ["https://reminiscent-gull-645.convex.cloud", "https://api.opensync.dev", "legacy address"],
    ["https://reminiscent-gull-645.convex.site", "https://reminiscent-gull-645.convex.site", undefined],
    ["https://api.opensync.dev/", "https://api.opensync.dev", undefined],
    ["https://polished-penguin-622.convex.cloud", "https://polished-penguin-622.convex.site", "on the .convex.site host, not .convex.cloud"],
    ["https://sync.example.com", "https://sync.example.com", undefined],
  ])("%p -> %p, the note says why", (input, url, note) => {
    if (url === undefined) {
      // Without a scheme it is refused, whatever host it names.
      expect(() => resolveUrl(input)).toThrow("https://");
      return;
    }
    const resolved = resolveUrl(input);
    expect(resolved.url).toBe(url);
    if (note === undefined) expect(resolved.note).toBeUndefined();
    else {
      expect(resolved.note).toContain(note);
      expect(resolved.note).toStartWith(`Using ${url}: `);
    }
  });

  test("user:password is refused on a hosted address too", () => {
    expect(() => resolveUrl("https://me:pw@app.opensync.dev")).toThrow("user:password@");
  });
});

describe("no message repeats a secret given as the URL", () => {
  test.each([
    [KEY, KEY],
    [` ${KEY} `, KEY],
    ["https://admin:hunter2@example.com", "hunter2"],
    ["ftp://admin:hunter2@example.com", "hunter2"],
    ["admin:hunter2@example.com", "hunter2"],
    ["https://example.com/?token=s3cr3t-t0ken", "s3cr3t-t0ken"],
    ["example.com/#s3cr3t-t0ken", "s3cr3t-t0ken"],
    ["sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz", "AbCdEfGhIjKlMnOp"],
    ["ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "AbCdEfGhIjKlMnOp"],
  ])("%p", (input, secret) => {
    let message = "";
    try {
      normalizeUrl(input);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).not.toBe("");
    expect(message).not.toContain(secret);
  });

  test.each([
    ["https://admin:hunter2@example.com/x?y=1", "https://example.com/x?…"],
    [`https://example.com/${KEY}`, "https://example.com/osk_[redacted]"],
    ["example.com", "example.com"],
    ["a-long-token-without-any-dot-1234567890", "(something that is not an address)"],
    [`https://example.com/${"a".repeat(200)}`, `https://example.com/${"a".repeat(100)}…`],
  ])("shownInput(%p) = %p", (input, shown) => {
    expect(shownInput(input)).toBe(shown);
  });

  test("maskCredentials masks keys and user:password in any text", () => {
    expect(maskCredentials(`key ${KEY} at https://u:p@h.example/x`)).toBe("key osk_[redacted] at https://h.example/x");
  });
});

describe("isLoopback", () => {
  test.each(["http://localhost:1", "http://LOCALHOST", "http://app.localhost", "http://127.0.0.1:8787", "http://127.4.5.6", "http://[::1]:80"])(
    "%p is this machine",
    (url) => expect(isLoopback(url)).toBe(true),
  );
  test.each(["http://192.168.1.10", "https://example.com", "http://localhost.example.com", "http://128.0.0.1", "not a url"])(
    "%p is not",
    (url) => expect(isLoopback(url)).toBe(false),
  );
});
