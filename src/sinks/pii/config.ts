import { z } from 'zod';
import { fieldPathProblem } from './field-paths.js';

/** Where the HMAC key of `hash` rules comes from; the key itself never appears in the topology. */
const hashKeySchema = z
  .object({
    env: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
      .optional()
      .describe('an environment variable holding the key; set exactly one of `env` and `file`'),
    file: z.string().min(1).optional().describe('a file holding the key (a mounted secret); a trailing newline is ignored'),
  })
  .strict()
  .refine((k) => (k.env === undefined) !== (k.file === undefined), 'set exactly one of env and file')
  .describe(
    'where the HMAC key of `hash` rules is (the topology never holds the key itself); read when a sink starts, at least 32 bytes (`openssl rand -hex 32`)',
  );

const field = z
  .string()
  .min(1)
  .describe('a field of the enriched event as the sink sees it, or `AdditionalFields.<key>` ([fields](privacy.md#fields))');

const ruleSchema = z.discriminatedUnion('action', [
  z
    .object({
      field,
      action: z.literal('hash'),
      length: z
        .number()
        .int()
        .min(16)
        .max(64)
        .optional()
        .describe('keep the first N hex characters of the 64 (at least 16: fewer make collisions likely)'),
    })
    .strict()
    .describe('HMAC-SHA-256 of the value with the `hashKey`, lower-case hex'),
  z
    .object({
      field,
      action: z.literal('truncate'),
      length: z
        .number()
        .int()
        .positive()
        .optional()
        .describe('keep the first N characters (code points) of a string; set exactly one of `length` and `ipPrefix`'),
      ipPrefix: z
        .object({
          ipv4: z.number().int().min(0).max(32).default(24).describe('prefix length kept of an IPv4 address'),
          ipv6: z.number().int().min(0).max(128).default(48).describe('prefix length kept of an IPv6 address'),
        })
        .strict()
        .optional()
        .describe('keep the network part of an IP address (host bits zeroed); a value that is not an IP address is dropped'),
    })
    .strict()
    .describe('keep the start of the value'),
  z
    .object({
      field,
      action: z.literal('mask'),
      keepLast: z
        .number()
        .int()
        .min(0)
        .default(4)
        .describe('characters (code points) left visible at the end; a value no longer than this is masked whole'),
      maskChar: z
        .string()
        .refine((c) => Array.from(c).length === 1, 'one character')
        .default('*')
        .describe('the one character every other character is replaced by'),
    })
    .strict()
    .describe('replace all but the last characters, keeping the length visible'),
  z
    .object({ field, action: z.literal('drop') })
    .strict()
    .describe('remove the field from the event (a map key from its map)'),
]);

/**
 * PII rules, at the topology (every sink) or on one sink. A sink's rules extend the topology's; a
 * sink rule for a field the topology already covers replaces that rule for this sink.
 */
export const piiSchema = z
  .object({
    hashKey: hashKeySchema.optional(),
    rules: z.array(ruleSchema).default([]).describe('one rule per field ([actions](privacy.md#actions))'),
  })
  .strict()
  .superRefine((pii, ctx) => {
    const seen = new Set<string>();
    pii.rules.forEach((rule, i) => {
      const problem = fieldPathProblem(rule.field, rule.action);
      if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['rules', i, 'field'], message: problem });
      if (seen.has(rule.field))
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['rules', i, 'field'], message: `"${rule.field}" has a rule already` });
      seen.add(rule.field);
      if (rule.action === 'truncate' && (rule.length === undefined) === (rule.ipPrefix === undefined))
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['rules', i], message: 'set exactly one of length and ipPrefix' });
    });
  });

export type PiiConfig = z.infer<typeof piiSchema>;
export type PiiRule = PiiConfig['rules'][number];
export type PiiAction = PiiRule['action'];
export type HashKeySource = NonNullable<PiiConfig['hashKey']>;
