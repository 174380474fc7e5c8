import { z } from 'zod';

/** Names of topologies, log types and sinks: they become parts of topic names and consumer groups. */
export const nameSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" or "-"');
