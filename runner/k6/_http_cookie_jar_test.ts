import assert from "node:assert/strict";
import { CookieJar, type CookieOptions } from "./_http_cookie_jar.ts";

// What k6's jar (Go's net/http/cookiejar behind k6's CookieJar) keeps and sends.

Deno.test("CookieJar.set: max_age 0 is none, below 0 deletes; expires in RFC 1123 form only", () => {
  const jar = new CookieJar();
  assert.equal(jar.set("http://shop.test/", "zero", "1", { max_age: 0 }), true);
  jar.set("http://shop.test/", "gone", "1", { max_age: -1 });
  jar.set(
    "http://shop.test/",
    "later",
    "1",
    { EXPIRES: "Mon, 02 Jan 2099 15:04:05 GMT" } as CookieOptions,
  );
  jar.set("http://shop.test/", "past", "1", { expires: "Mon, 02 Jan 2006 15:04:05 GMT" });
  assert.deepEqual(jar.cookiesForURL("http://shop.test/"), { zero: ["1"], later: ["1"] });
  assert.throws(
    () => jar.set("http://shop.test/", "x", "1", { expires: "2099-01-02" }),
    /unable to parse "expires" date string "2099-01-02"/,
  );
});

Deno.test("CookieJar: domains as Go's jar: parents of a name, an IP address for itself", () => {
  const jar = new CookieJar();
  jar.set("http://a.shop.test/", "parent", "1", { domain: ".shop.test" });
  jar.set("http://a.shop.test/", "foreign", "1", { domain: "other.test" });
  jar.set("http://127.0.0.1/", "dotted", "1", { domain: ".127.0.0.1" });
  jar.set("http://127.0.0.1/", "ip", "1", { domain: "127.0.0.1" });
  jar.set("http://[::1]/", "v6", "1", { domain: "::1" });
  assert.deepEqual(jar.cookiesForURL("http://b.shop.test/"), { parent: ["1"] });
  assert.deepEqual(jar.cookiesForURL("http://127.0.0.1/"), { ip: ["1"] });
  assert.deepEqual(jar.cookiesForURL("http://[::1]/"), { v6: ["1"] });
});

Deno.test("CookieJar: paths decoded, Secure for https only, clear and delete as k6's", () => {
  const jar = new CookieJar();
  jar.set("http://shop.test/", "enc", "1", { path: "/café" });
  jar.set("http://shop.test/", "tls", "1", { secure: true });
  assert.deepEqual(jar.cookiesForURL("http://shop.test/caf%C3%A9/x"), { enc: ["1"] });
  assert.deepEqual(jar.cookiesForURL("https://shop.test/"), { tls: ["1"] });
  jar.set("http://shop.test/", "a", "1");
  jar.set("http://shop.test/", "b", "2");
  jar.delete("http://shop.test/", "a");
  assert.deepEqual(jar.cookiesForURL("http://shop.test/"), { b: ["2"] });
  assert.throws(() => jar.delete("http://shop.test/", ""), /cookie: is null/);
  jar.clear("http://shop.test/");
  assert.deepEqual(jar.cookiesForURL("http://shop.test/"), {});
  // The /café cookie is not the URL's default path: k6's clear leaves it.
  assert.deepEqual(jar.cookiesForURL("http://shop.test/café"), { enc: ["1"] });
});
