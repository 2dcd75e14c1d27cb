/**
 * Tokens that expire, on loopback, for the auth-provider tests: an OAuth2 token endpoint that
 * issues short-lived access tokens (client-credentials grant, HTTP Basic client auth, `expires_in`)
 * and a gate in front of one stack server that accepts a bearer token only while it is current —
 * issued by that endpoint, not expired, not revoked — and answers anything else with MLflow's 401.
 * An accepted request is forwarded with the token replaced by `upstreamAuthorization` (the auth
 * server's admin, for the basic-auth app) or with no Authorization at all (a server without auth).
 *
 * @example
 * const idp = await startTokenEndpoint({ clientId: "ci", clientSecret: "s3cret", lifetimeMs: 4_000 });
 * const gate = await startBearerGate(serverUri("auth"), idp, { upstreamAuthorization: "Basic …" });
 * // client: { trackingUri: gate.url, auth: oauth2ClientCredentials({ tokenUrl: idp.url, … }) }
 * // idp.revokeAll() makes every token issued so far invalid (a key rotation); close both in finally.
 */
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/** A loopback OAuth2 token endpoint. */
export interface TokenEndpoint {
  /** The token URL, `http://127.0.0.1:<port>/token`. */
  url: string;
  /** Tokens issued so far. */
  issued: number;
  /** Token requests refused (bad client credentials). */
  refused: number;
  /** Whether `token` is current: issued here, not expired, not revoked. */
  isCurrent(token: string): boolean;
  /** Revokes every token issued so far (the next requests carrying one get 401). */
  revokeAll(): void;
  close(): Promise<void>;
}

/** A gate in front of a server. */
export interface BearerGate {
  url: string;
  /** Requests accepted and forwarded. */
  forwarded: number;
  /** Requests answered 401 (no token, or a token not current). */
  unauthorized: number;
  close(): Promise<void>;
}

/** Starts a token endpoint issuing tokens valid for `lifetimeMs` (announced as `expires_in` seconds). */
export async function startTokenEndpoint(options: { clientId: string; clientSecret: string; lifetimeMs: number }): Promise<TokenEndpoint> {
  const expiry = new Map<string, number>();
  const expected = `Basic ${Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`).toString("base64")}`;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
      if (req.method !== "POST" || req.headers.authorization !== expected || form.get("grant_type") !== "client_credentials") {
        endpoint.refused++;
        res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: "invalid_client" }));
        return;
      }
      const token = `rot-${randomBytes(18).toString("base64url")}`;
      expiry.set(token, Date.now() + options.lifetimeMs);
      endpoint.issued++;
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ access_token: token, token_type: "Bearer", expires_in: options.lifetimeMs / 1000 }));
    });
  });
  const port = await listen(server);
  const endpoint: TokenEndpoint = {
    url: `http://127.0.0.1:${port}/token`,
    issued: 0,
    refused: 0,
    isCurrent: (token) => (expiry.get(token) ?? 0) > Date.now(),
    revokeAll: () => expiry.clear(),
    close: () => close(server),
  };
  return endpoint;
}

/** Starts a gate in front of `target` that lets through only requests with a current bearer token of `idp`. */
export async function startBearerGate(target: string, idp: TokenEndpoint, options: { upstreamAuthorization?: string } = {}): Promise<BearerGate> {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const server = http.createServer((req, res) => {
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (token === undefined || !idp.isCurrent(token)) {
      gate.unauthorized++;
      req.resume();
      res
        .writeHead(401, { "content-type": "application/json" })
        .end(JSON.stringify({ error_code: "UNAUTHENTICATED", message: "bearer token missing, expired or revoked" }));
      return;
    }
    gate.forwarded++;
    const headers = { ...req.headers, host: upstream.host };
    delete headers.authorization;
    if (options.upstreamAuthorization) headers.authorization = options.upstreamAuthorization;
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, path: upstream.pathname.replace(/\/$/, "") + (req.url ?? "/"), method: req.method, headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => res.destroy());
    req.pipe(forward);
  });
  const port = await listen(server);
  const gate: BearerGate = {
    url: `http://127.0.0.1:${port}`,
    forwarded: 0,
    unauthorized: 0,
    close: async () => {
      agent.destroy();
      await close(server);
    },
  };
  return gate;
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
