import type { PipelinePolicy } from '@azure/core-rest-pipeline';

/** What the identity provider last answered a token request (or why no answer came). */
export type TokenRequestOutcome = ({ kind: 'answer'; status: number; oauthError?: string } | { kind: 'no-answer'; code: string }) & {
  /** where it went, without the query */
  url?: string;
};

/**
 * @azure/identity turns a refused client-credentials request into an AuthenticationRequiredError
 * that carries only a message. This pipeline policy, added to the credential's own HTTP client,
 * keeps the HTTP status and OAuth `error` of the last token request, so that a failure is
 * classified from data (refused or unavailable), never from the wording of a message.
 */
export class TokenRequestRecorder {
  last: TokenRequestOutcome | undefined;

  readonly policy: PipelinePolicy = {
    name: 'siemStreamTokenRequestRecorder',
    sendRequest: async (request, next) => {
      try {
        const response = await next(request);
        this.last = { kind: 'answer', status: response.status, ...oauthErrorOf(response.bodyAsText), url: withoutQuery(request.url) };
        return response;
      } catch (error) {
        this.last = { kind: 'no-answer', code: (error as { code?: string }).code ?? 'REQUEST_SEND_ERROR', url: withoutQuery(request.url) };
        throw error;
      }
    },
  };
}

function oauthErrorOf(body: string | null | undefined): { oauthError?: string } {
  if (!body) return {};
  try {
    const error = (JSON.parse(body) as { error?: unknown }).error;
    if (typeof error === 'string') return { oauthError: error };
    if (typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string')
      return { oauthError: (error as { code: string }).code };
  } catch {
    // not JSON: the status alone says enough
  }
  return {};
}

function withoutQuery(url: string): string {
  const i = url.indexOf('?');
  return i < 0 ? url : url.slice(0, i);
}
