import { AppError } from "../errors";

/** The request's declared length: uploads need one, since R2 stores only bodies of known length. */
export function declaredLength(req: Request, max: number): number {
  const header = req.headers.get("Content-Length");
  if (header === null || !/^\d{1,15}$/.test(header)) throw new AppError("bad_request", "Content-Length is required");
  const length = Number(header);
  if (length === 0) throw new AppError("bad_request", "the file is empty");
  if (length > max) throw new AppError("too_large", `files are limited to ${max} bytes`);
  return length;
}

const lengthMismatch = () => new AppError("bad_request", "the body does not match its Content-Length");

/**
 * The body as a stream of exactly `length` bytes (a FixedLengthStream, so R2
 * knows the size). A body longer or shorter than it said errors the stream,
 * so an R2 put reading it fails and stores nothing; `failed()` then tells
 * that the length was the cause (workerd's pipe reports it only to the reader).
 */
export function exactly(body: ReadableStream<Uint8Array> | null, length: number): { stream: ReadableStream<Uint8Array>; done: Promise<void>; failed: () => AppError | null } {
  if (!body) throw new AppError("bad_request", "the file is empty");
  let seen = 0;
  let failure: AppError | null = null;
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, c) {
      seen += chunk.byteLength;
      if (seen > length) c.error((failure = lengthMismatch()));
      else c.enqueue(chunk);
    },
    flush(c) {
      if (seen !== length) c.error((failure = lengthMismatch()));
    },
  });
  const fixed = new FixedLengthStream(length);
  const done = body.pipeThrough(counter).pipeTo(fixed.writable).catch(() => {
    throw failure ?? lengthMismatch();
  });
  return { stream: fixed.readable, done, failed: () => failure };
}

/** Reads all of an exactly-`length` body into memory (images, to check and thumbnail them). */
export async function readExactly(body: ReadableStream<Uint8Array> | null, length: number): Promise<Uint8Array> {
  const { stream, done, failed } = exactly(body, length);
  const [read] = await Promise.allSettled([new Response(stream).arrayBuffer(), done]);
  const failure = failed();
  if (failure) throw failure;
  if (read.status === "rejected") throw read.reason;
  return new Uint8Array(read.value);
}

/** Reads and drops what is left of a body: wrangler dev's proxy drops the connection when an early answer leaves a large body unread. */
export async function drain(req: Request): Promise<void> {
  if (!req.body || req.bodyUsed) return;
  try {
    const reader = req.body.getReader();
    while (!(await reader.read()).done);
  } catch {
    // the client went away
  }
}
