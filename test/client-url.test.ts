import { describe, expect, test } from "bun:test";
import { isLoopback, normalizeUrl } from "../src/opensync/client.ts";

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
    ["https://user:secret@example.com", "user:password@"],
    ["https://example.com/?a=1", "must not contain ? or #"],
  ])("%p is refused with a message saying what to do", (input, hint) => {
    expect(() => normalizeUrl(input)).toThrow(hint);
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
