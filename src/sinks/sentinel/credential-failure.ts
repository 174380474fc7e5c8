import { SiemStreamError } from '../../errors.js';
import type { TokenRequestOutcome } from './token-request-outcome.js';

/** Errors of reaching the identity provider that a retry can fix; a TLS trust problem is not one of them. */
const TRANSIENT_NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EPIPE',
  'REQUEST_SEND_ERROR',
  'network_error',
]);

/**
 * A token that could not be had, as the project's error: refused (a wrong secret, an unknown app,
 * tenant or resource, an untrusted certificate, missing settings) stops the sink with
 * DESTINATION_MISCONFIGURED; an identity provider that is down or throttling is retried as
 * DESTINATION_UNAVAILABLE. The status is read from the error chain (managed identity keeps it)
 * or from the recorded token request (the MSAL flows do not).
 */
export function credentialFailure(
  error: unknown,
  what: string,
  recorded: TokenRequestOutcome | undefined,
  stage?: string,
): SiemStreamError {
  const outcome = outcomeInChain(error) ?? recorded;
  const retriable = outcome !== undefined && isTransient(outcome);
  const detail = firstLine(error instanceof Error ? error.message : String(error));
  const seen = outcome === undefined ? 'no token request was answered' : describe(outcome);
  const message = retriable
    ? `${what}: the identity provider is unavailable (${seen}), a retry may help: ${detail}`
    : `${what}: no token (${seen}): ${detail}`;
  return new SiemStreamError(retriable ? 'DESTINATION_UNAVAILABLE' : 'DESTINATION_MISCONFIGURED', message, { stage, cause: error });
}

function outcomeInChain(error: unknown): TokenRequestOutcome | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const { status, statusCode, errorCode, code } = e as { status?: unknown; statusCode?: unknown; errorCode?: unknown; code?: unknown };
    const httpStatus = typeof status === 'number' ? status : typeof statusCode === 'number' ? statusCode : undefined;
    if (httpStatus !== undefined)
      return { kind: 'answer', status: httpStatus, ...(typeof errorCode === 'string' ? { oauthError: errorCode } : {}) };
    if (errorCode === 'network_error') return { kind: 'no-answer', code: errorCode };
    if (typeof code === 'string' && TRANSIENT_NETWORK.has(code)) return { kind: 'no-answer', code };
  }
  return undefined;
}

function isTransient(outcome: TokenRequestOutcome): boolean {
  if (outcome.kind === 'no-answer') return TRANSIENT_NETWORK.has(outcome.code);
  return outcome.status === 408 || outcome.status === 429 || outcome.status >= 500;
}

function describe(outcome: TokenRequestOutcome): string {
  const from = outcome.url ? ` from ${outcome.url}` : '';
  if (outcome.kind === 'no-answer') return `no answer${from}: ${outcome.code}`;
  return `HTTP ${outcome.status}${outcome.oauthError ? ` ${outcome.oauthError}` : ''}${from}`;
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? '';
}
