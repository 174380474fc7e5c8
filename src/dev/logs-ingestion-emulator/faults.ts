import { z } from 'zod';

/** A fault set for "*" applies to every stream; a stream's own fault of the same kind is used first. */
export const ANY_STREAM = '*';

export const faultRequestSchema = z
  .object({
    stream: z.string().min(1).default(ANY_STREAM),
    /** answer 429 with Retry-After for the next `count` requests */
    throttle: z
      .object({ count: z.number().int().positive(), retryAfterSeconds: z.number().int().min(0).default(1) })
      .strict()
      .optional(),
    /**
     * answer this status for the next `count` requests: 5xx (with retryAfterSeconds a 503 carries
     * Retry-After, which the SDK honours), or 400 / 422 to model a permanent refusal
     */
    serverError: z
      .object({
        count: z.number().int().positive(),
        status: z.union([z.literal(400), z.literal(422), z.literal(500), z.literal(502), z.literal(503), z.literal(504)]).default(503),
        retryAfterSeconds: z.number().int().min(0).optional(),
      })
      .strict()
      .optional(),
    /**
     * destroy the socket without an answer for the next `count` requests; afterAccept stores the
     * records first, so the client retries something the service already has (a duplicate).
     */
    dropConnection: z
      .object({ count: z.number().int().positive(), afterAccept: z.boolean().default(false) })
      .strict()
      .optional(),
    /**
     * answer 413 to the next `count` requests whose body is over `overBytes`, as if the service's
     * size limit were that low: the client must split the batch, and a request under it passes
     */
    tooLarge: z.object({ count: z.number().int().positive(), overBytes: z.number().int().positive() }).strict().optional(),
    /** delay every answer for this stream by this many ms (0 clears) */
    latencyMs: z.number().int().min(0).optional(),
  })
  .strict();
export type FaultRequest = z.input<typeof faultRequestSchema>;

export type FaultAction =
  | { kind: 'throttle'; retryAfterSeconds: number }
  | { kind: 'serverError'; status: number; retryAfterSeconds?: number }
  | { kind: 'dropConnection'; afterAccept: boolean };

interface Counted<T> {
  remaining: number;
  action: T;
}

interface StreamFaults {
  tooLarge?: { remaining: number; overBytes: number };
  throttle?: Counted<FaultAction>;
  serverError?: Counted<FaultAction>;
  dropConnection?: Counted<FaultAction>;
  latencyMs?: number;
}

export interface PendingFaults {
  throttle?: number;
  serverError?: number;
  dropConnection?: number;
  tooLarge?: number;
  latencyMs?: number;
}

const KINDS = ['throttle', 'serverError', 'dropConnection'] as const;

/** Run-time fault plan per stream; each faulty request uses up one count of one fault. */
export class FaultInjector {
  private readonly byStream = new Map<string, StreamFaults>();

  /** Adds to (or replaces, per kind) the faults of one stream. */
  set(request: FaultRequest): void {
    const r = faultRequestSchema.parse(request);
    const faults = this.byStream.get(r.stream) ?? {};
    if (r.throttle) {
      faults.throttle = { remaining: r.throttle.count, action: { kind: 'throttle', retryAfterSeconds: r.throttle.retryAfterSeconds } };
    }
    if (r.serverError) {
      const { count, ...action } = r.serverError;
      faults.serverError = { remaining: count, action: { kind: 'serverError', ...action } };
    }
    if (r.dropConnection) {
      faults.dropConnection = {
        remaining: r.dropConnection.count,
        action: { kind: 'dropConnection', afterAccept: r.dropConnection.afterAccept },
      };
    }
    if (r.tooLarge) faults.tooLarge = { remaining: r.tooLarge.count, overBytes: r.tooLarge.overBytes };
    if (r.latencyMs !== undefined) faults.latencyMs = r.latencyMs || undefined;
    this.byStream.set(r.stream, faults);
  }

  throttle(stream: string, count: number, retryAfterSeconds = 1): void {
    this.set({ stream, throttle: { count, retryAfterSeconds } });
  }

  failWith(stream: string, count: number, status: 400 | 422 | 500 | 502 | 503 | 504 = 503, retryAfterSeconds?: number): void {
    this.set({ stream, serverError: { count, status, retryAfterSeconds } });
  }

  dropConnections(stream: string, count: number, afterAccept = false): void {
    this.set({ stream, dropConnection: { count, afterAccept } });
  }

  setLatency(stream: string, latencyMs: number): void {
    this.set({ stream, latencyMs });
  }

  /** Clears one stream's faults, or all of them. */
  clear(stream?: string): void {
    if (stream === undefined) this.byStream.clear();
    else this.byStream.delete(stream);
  }

  latencyFor(stream: string): number {
    return this.byStream.get(stream)?.latencyMs ?? this.byStream.get(ANY_STREAM)?.latencyMs ?? 0;
  }

  /** The lowered size limit a request of this many bytes breaks, if any; consumes one count. */
  takeTooLarge(stream: string, bytes: number): number | undefined {
    for (const key of [stream, ANY_STREAM]) {
      const fault = this.byStream.get(key)?.tooLarge;
      if (fault && fault.remaining > 0 && bytes > fault.overBytes) {
        fault.remaining -= 1;
        return fault.overBytes;
      }
    }
    return undefined;
  }

  /** The fault the next request to this stream suffers, if any; consumes it. Order: throttle, 5xx, drop. */
  take(stream: string): FaultAction | undefined {
    for (const kind of KINDS) {
      for (const key of [stream, ANY_STREAM]) {
        const fault = this.byStream.get(key)?.[kind];
        if (fault && fault.remaining > 0) {
          fault.remaining -= 1;
          return fault.action;
        }
      }
    }
    return undefined;
  }

  /** Remaining counts and latency per stream. */
  snapshot(): Record<string, PendingFaults> {
    const out: Record<string, PendingFaults> = {};
    for (const [stream, faults] of this.byStream) {
      out[stream] = {
        ...(faults.throttle?.remaining ? { throttle: faults.throttle.remaining } : {}),
        ...(faults.serverError?.remaining ? { serverError: faults.serverError.remaining } : {}),
        ...(faults.dropConnection?.remaining ? { dropConnection: faults.dropConnection.remaining } : {}),
        ...(faults.tooLarge?.remaining ? { tooLarge: faults.tooLarge.remaining } : {}),
        ...(faults.latencyMs ? { latencyMs: faults.latencyMs } : {}),
      };
    }
    return out;
  }
}
