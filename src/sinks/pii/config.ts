import { z } from 'zod';
import { fieldPathProblem } from './field-paths.js';

/** Where the HMAC key of `hash` rules comes from; the key itself never appears in the topology. */
const hashKeySchema = z
  .object({
    /** an environment variable holding the key */
    env: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
      .optional(),
    /** a file holding the key (a mounted secret); a trailing newline is ignored */
    file: z.string().min(1).optional(),
  })
  .strict()
  .refine((k) => (k.env === undefined) !== (k.file === undefined), 'set exactly one of env and file');

const field = z.string().min(1);

const ruleSchema = z.discriminatedUnion('action', [
  z
    .object({
      field,
      action: z.literal('hash'),
      /** keep the first N hex characters of the 64 (at least 16: fewer make collisions likely) */
      length: z.number().int().min(16).max(64).optional(),
    })
    .strict(),
  z
    .object({
      field,
      action: z.literal('truncate'),
      /** keep the first N characters (code points) of a string… */
      length: z.number().int().positive().optional(),
      /** …or keep the network part of an IP address */
      ipPrefix: z
        .object({ ipv4: z.number().int().min(0).max(32).default(24), ipv6: z.number().int().min(0).max(128).default(48) })
        .strict()
        .optional(),
    })
    .strict(),
  z
    .object({
      field,
      action: z.literal('mask'),
      /** characters (code points) left visible at the end */
      keepLast: z.number().int().min(0).default(4),
      maskChar: z
        .string()
        .refine((c) => Array.from(c).length === 1, 'one character')
        .default('*'),
    })
    .strict(),
  z.object({ field, action: z.literal('drop') }).strict(),
]);

/**
 * PII rules, at the topology (every sink) or on one sink. A sink's rules extend the topology's; a
 * sink rule for a field the topology already covers replaces that rule for this sink.
 */
export const piiSchema = z
  .object({
    hashKey: hashKeySchema.optional(),
    rules: z.array(ruleSchema).default([]),
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
