import { z } from 'zod';

/** `schemaRegistry`: where the Confluent-compatible registry is, and how to authenticate to it. */
export const schemaRegistrySchema = z
  .object({
    url: z.string().url().describe('base URL of a Confluent-compatible registry; for Apicurio Registry `http(s)://<host>/apis/ccompat/v7`'),
    auth: z
      .object({
        username: z.string().min(1).describe('the basic auth user'),
        password: z.coerce
          .string()
          .min(1)
          .optional()
          .describe(
            'the password itself, best from `SIEM_STREAM__SCHEMA_REGISTRY__AUTH__PASSWORD`; set exactly one of `password` and `passwordFile`',
          ),
        passwordFile: z
          .string()
          .min(1)
          .optional()
          .describe('a file holding the password (a mounted secret), read at start; one trailing newline is ignored'),
      })
      .strict()
      .refine((a) => (a.password === undefined) !== (a.passwordFile === undefined), 'set exactly one of password and passwordFile')
      .optional()
      .describe('HTTP basic auth, sent with every request'),
    tls: z
      .object({
        caFile: z
          .string()
          .min(1)
          .optional()
          .describe('PEM file read at start; it **replaces** the CAs Node.js trusts for registry connections'),
        rejectUnauthorized: z.boolean().default(true).describe("verify the registry's certificate; `false` only for a test setup"),
      })
      .strict()
      .optional()
      .describe('only for an `https://` url (an error otherwise); without it, https verifies against the CAs Node.js trusts'),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.tls && !/^https:/i.test(r.url)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['tls'], message: `applies to an https:// url only (url is ${r.url})` });
    }
  });

export type SchemaRegistryConfig = z.infer<typeof schemaRegistrySchema>;
