import assert from "node:assert/strict";
import { proxyFor, proxyRouteFor, proxyVariables } from "../../../src/config/proxy_env.ts";

Deno.test("proxyFor() picks the variable of the URL's scheme, without its credentials", () => {
  const env = { HTTP_PROXY: "http://u:p@proxy:3128", HTTPS_PROXY: "proxy.corp:8443" };
  assert.deepEqual(proxyFor("http://mcp.example.com/mcp", env), {
    variable: "HTTP_PROXY",
    url: "http://proxy:3128",
  });
  assert.deepEqual(proxyFor("https://mcp.example.com/mcp", env), {
    variable: "HTTPS_PROXY",
    url: "http://proxy.corp:8443",
  });
  assert.deepEqual(proxyFor("https://a.example/mcp", { https_proxy: "http://p:1" }), {
    variable: "https_proxy",
    url: "http://p:1",
  });
  assert.equal(proxyFor("https://a.example/mcp", { HTTP_PROXY: "http://p:1" }), undefined);
  assert.equal(proxyFor("not a url", env), undefined);
});

Deno.test("proxyFor() honours NO_PROXY: *, hosts, domain suffixes and ports", () => {
  const proxied = (url: string, noProxy: string) =>
    proxyFor(url, { HTTPS_PROXY: "http://p:1", NO_PROXY: noProxy }) !== undefined;
  assert.equal(proxied("https://mcp.example.com/x", "*"), false);
  assert.equal(proxied("https://mcp.example.com/x", "example.com"), false);
  assert.equal(proxied("https://mcp.example.com/x", ".example.com"), false);
  assert.equal(proxied("https://mcp.example.com/x", "*.example.com"), false);
  assert.equal(proxied("https://example.com/x", ".example.com"), false);
  assert.equal(
    proxied("https://notexample.com/x", "example.com"),
    true,
    "a suffix, not a substring",
  );
  assert.equal(proxied("https://mcp.example.com:8443/x", "mcp.example.com:8443"), false);
  assert.equal(proxied("https://mcp.example.com/x", "mcp.example.com:8443"), true, "another port");
  assert.equal(proxied("https://127.0.0.1:9/x", " localhost , 127.0.0.1 "), false);
  assert.equal(proxied("https://[::1]:9/x", "::1"), false);
  assert.equal(proxied("https://mcp.example.com/x", ""), true);
});

Deno.test("proxyRouteFor() keeps the proxy's credentials apart from its address, percent-decoded", () => {
  assert.deepEqual(
    proxyRouteFor("https://mcp.example.com/mcp", {
      HTTPS_PROXY: "http://bob%40corp:p%3Ass@proxy.corp:3128/",
    }),
    {
      shown: { variable: "HTTPS_PROXY", url: "http://proxy.corp:3128" },
      address: "http://proxy.corp:3128",
      credentials: { username: "bob@corp", password: "p:ss" },
    },
  );
  assert.deepEqual(proxyRouteFor("http://a.example/", { http_proxy: "proxy:8080" }), {
    shown: { variable: "http_proxy", url: "http://proxy:8080" },
    address: "http://proxy:8080",
  });
  assert.equal(proxyRouteFor("http://a.example/", { http_proxy: "p:1", NO_PROXY: "*" }), undefined);
});

Deno.test("proxyVariables() keeps the six proxy variables and nothing else", () => {
  assert.deepEqual(
    proxyVariables({ HTTPS_PROXY: "http://p:1", no_proxy: "x", HOME: "/root", TOKEN: "t" }),
    { HTTPS_PROXY: "http://p:1", no_proxy: "x" },
  );
});
