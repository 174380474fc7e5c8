import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/** An OAuth error as Entra ID answers it: `error`, an AADSTS-prefixed description, `error_codes`, ids. */
export interface EntraError {
  status: number;
  error: string;
  aadsts: number;
  message: string;
}

export function sendEntraError(res: ServerResponse, { status, error, aadsts, message }: EntraError): void {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
  const body = JSON.stringify({
    error,
    error_description: `AADSTS${aadsts}: ${message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [aadsts],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${aadsts}`,
  });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export const ENTRA_ERRORS = {
  tenantNotFound: (tenant: string): EntraError => ({
    status: 400,
    error: 'invalid_request',
    aadsts: 90002,
    message: `Tenant '${tenant}' not found.`,
  }),
  unsupportedGrant: (grant: string): EntraError => ({
    status: 400,
    error: 'unsupported_grant_type',
    aadsts: 70003,
    message: `The app requested an unsupported grant type '${grant}'.`,
  }),
  unknownClient: (clientId: string, tenant: string): EntraError => ({
    status: 400,
    error: 'unauthorized_client',
    aadsts: 700016,
    message: `Application with identifier '${clientId}' was not found in the directory '${tenant}'.`,
  }),
  noClientCredential: (): EntraError => ({
    status: 401,
    error: 'invalid_client',
    aadsts: 7000218,
    message: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  }),
  invalidSecret: (clientId: string): EntraError => ({
    status: 401,
    error: 'invalid_client',
    aadsts: 7000215,
    message: `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
  }),
  invalidAssertion: (why: string): EntraError => ({
    status: 400,
    error: 'invalid_client',
    aadsts: 700211,
    message: `No matching federated identity record found for presented assertion (${why}).`,
  }),
  expiredAssertion: (): EntraError => ({
    status: 400,
    error: 'invalid_client',
    aadsts: 700024,
    message: 'Client assertion is not within its valid time range.',
  }),
  invalidScope: (scope: string): EntraError => ({
    status: 400,
    error: 'invalid_scope',
    aadsts: 1002012,
    message: `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
  }),
  unknownResource: (resource: string, tenant: string): EntraError => ({
    status: 400,
    error: 'invalid_resource',
    aadsts: 500011,
    message: `The resource principal named ${resource} was not found in the tenant named ${tenant}.`,
  }),
} as const;
