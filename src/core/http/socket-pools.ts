/**
 * The socket pools of one transport. Kept-alive sockets retire after an idle time below the usual
 * server keep-alive (see `DEFAULT_KEEP_ALIVE_IDLE_MS`), and a request sent on a *reused* socket
 * that fails before any byte of the answer arrived is recognised ({@link isStaleSocketError}), so
 * that the transport can replay it on a fresh connection ({@link SocketPools.agents}).
 *
 * Why a reused socket can be dead: the server (uvicorn after 5 s idle, gunicorn after 2 s) closes
 * an idle keep-alive connection, and the client learns it only when its event loop reads the FIN.
 * A loop blocked longer than that (a synchronous Python step through `execFileSync`, a slow
 * synchronous epoch) sends its next request on the closed socket before the FIN or the idle timer
 * is processed, and the server's kernel answers with a reset.
 *
 * How "reused" is known: Node's agent calls `reuseSocket(socket, request)` (and sets
 * `request.reusedSocket`) exactly when it hands a pooled socket to a request; the agents below
 * record there how many bytes the socket had read, and mark the request's error when it fails with
 * a reset or broken pipe while that count is unchanged (no byte of the answer arrived).
 */
import http from "node:http";
import https from "node:https";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";

/** Codes of a socket the peer had closed: a reset (also Node's "socket hang up") or a broken pipe. */
const STALE_SOCKET_CODES: ReadonlySet<string> = new Set(["ECONNRESET", "EPIPE"]);

/** Errors of requests whose reused socket failed before any byte of the answer arrived. */
const staleSocketErrors = new WeakSet<object>();

/**
 * Watches a request given a pooled socket: if it fails with a reset or broken pipe before the
 * socket read any byte of the answer, its error is remembered as a stale-socket error.
 */
function watchReusedSocket(socket: Duplex, request: http.ClientRequest): void {
  const bytesAtReuse = (socket as Socket).bytesRead;
  const onError = (error: unknown): void => {
    const code = (error as { code?: unknown } | null)?.code;
    const noAnswerByte = (socket as Socket).bytesRead === bytesAtReuse;
    if (noAnswerByte && typeof code === "string" && STALE_SOCKET_CODES.has(code) && typeof error === "object") staleSocketErrors.add(error as object);
  };
  const stop = (): void => {
    request.removeListener("error", onError);
  };
  request.once("error", onError);
  request.once("response", stop);
  request.once("close", stop);
}

class PoolAgent extends http.Agent {
  override reuseSocket(socket: Duplex, request: http.ClientRequest): void {
    super.reuseSocket(socket, request);
    watchReusedSocket(socket, request);
  }
}

class TlsPoolAgent extends https.Agent {
  override reuseSocket(socket: Duplex, request: http.ClientRequest): void {
    super.reuseSocket(socket, request);
    watchReusedSocket(socket, request);
  }
}

/**
 * True when `error` (or the error it wraps, as axios wraps socket errors in `cause`) is the failure
 * of a request on a reused socket, reset before any byte of the answer arrived.
 * @internal
 */
export function isStaleSocketError(error: unknown): boolean {
  const cause = (error as { cause?: unknown } | null)?.cause;
  return [error, cause].some((candidate) => typeof candidate === "object" && candidate !== null && staleSocketErrors.has(candidate));
}

/** Settings of {@link SocketPools}. @internal */
export interface SocketPoolOptions {
  /** Idle time after which a kept-alive socket is closed, ms. */
  keepAliveIdleMs: number;
  /** Sockets per host. */
  maxSockets: number;
  /** TLS settings of the https agents (CA, client certificate, verification). */
  tls: https.AgentOptions;
}

/**
 * The http and https agents of one transport: pooled keep-alive agents for every request, and
 * agents that always open a new connection, for the replay of a request whose pooled socket was
 * stale.
 * @internal
 */
export class SocketPools {
  readonly #pooled: { httpAgent: http.Agent; httpsAgent: https.Agent };
  readonly #fresh: { httpAgent: http.Agent; httpsAgent: https.Agent };

  constructor(options: SocketPoolOptions) {
    const pooled = { keepAlive: true, timeout: options.keepAliveIdleMs, maxSockets: options.maxSockets, scheduling: "lifo" as const };
    this.#pooled = { httpAgent: new PoolAgent(pooled), httpsAgent: new TlsPoolAgent({ ...pooled, ...options.tls }) };
    const fresh = { keepAlive: false, maxSockets: options.maxSockets };
    this.#fresh = { httpAgent: new http.Agent(fresh), httpsAgent: new https.Agent({ ...fresh, ...options.tls }) };
  }

  /** The agents for one attempt: pooled, or `fresh` (a new connection, closed after the answer). */
  agents(fresh: boolean): { httpAgent: http.Agent; httpsAgent: https.Agent } {
    return fresh ? this.#fresh : this.#pooled;
  }

  /**
   * Closes every idle pooled socket: after one was found stale, the others idle as long are
   * likely stale too. Sockets in use are not touched.
   */
  retireIdle(): void {
    for (const agent of [this.#pooled.httpAgent, this.#pooled.httpsAgent]) {
      for (const sockets of Object.values(agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
    }
  }

  /** Closes every socket of every agent (call it when no request is in flight). */
  destroy(): void {
    for (const agent of [this.#pooled.httpAgent, this.#pooled.httpsAgent, this.#fresh.httpAgent, this.#fresh.httpsAgent]) agent.destroy();
  }
}
