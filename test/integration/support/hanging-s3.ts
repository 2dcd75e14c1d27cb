/**
 * An S3 endpoint on 127.0.0.1 whose uploads never finish, for the SIGKILL-during-upload suites
 * (`journaled-artifacts`, `journaled-blobs`): it accepts connections and holds every write (PUT,
 * POST) unanswered. With `forwardReadsTo`, reads (GET, HEAD) are forwarded to that S3 as they are,
 * the Host header too, so their SigV4 signatures still verify (`logTable` lists the run's artifacts
 * before uploading); without it nothing is ever answered.
 *
 * @example
 * const s3 = await hangingS3({ forwardReadsTo: stackEnv("MLFLOW_S3_ENDPOINT_URL") });
 * // … MLFLOW_S3_ENDPOINT_URL: s3.url for the child; s3.writesHeld() counts the uploads held; await s3.close() in finally.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** A running {@link hangingS3}. */
export interface HangingS3 {
  url: string;
  /** Writes received and held so far. */
  writesHeld: () => number;
  /** Destroys every held connection and stops listening. */
  close: () => Promise<void>;
}

/** Starts a {@link HangingS3}; forwarded reads give up after 30 s. */
export async function hangingS3(options: { forwardReadsTo?: string } = {}): Promise<HangingS3> {
  const sockets = new Set<Socket>();
  let held = 0;
  const upstream = options.forwardReadsTo === undefined ? undefined : new URL(options.forwardReadsTo);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (upstream === undefined || (req.method !== "GET" && req.method !== "HEAD")) {
      if (req.method !== "GET" && req.method !== "HEAD") held++;
      req.resume(); // read the body, never answer
      return;
    }
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, timeout: 30_000 },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("timeout", () => forward.destroy(new Error("upstream S3 timed out")));
    forward.on("error", () => res.destroy());
    req.pipe(forward);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    writesHeld: () => held,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
