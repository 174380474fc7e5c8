import { z } from 'zod';

/** `schemaRegistry`: where the Confluent-compatible registry is, and how to authenticate to it. */
export const schemaRegistrySchema = z
  .object({
    url: z.string().url(),
    /** HTTP basic auth */
    auth: z
      .object({
        username: z.string().min(1),
        /** the password itself (e.g. from SIEM_STREAM__SCHEMA_REGISTRY__AUTH__PASSWORD), or… */
        password: z.coerce.string().min(1).optional(),
        /** …a file holding it (a mounted secret); read at start, trailing newline ignored */
        passwordFile: z.string().min(1).optional(),
      })
      .strict()
      .refine((a) => (a.password === undefined) !== (a.passwordFile === undefined), 'set exactly one of password and passwordFile')
      .optional(),
    /** for an https:// url */
    tls: z
      .object({
        /** the CA (PEM) that signed the registry's certificate; replaces the system trust store for this connection */
        caFile: z.string().min(1).optional(),
        rejectUnauthorized: z.boolean().default(true),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.tls && !/^https:/i.test(r.url)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['tls'], message: `applies to an https:// url only (url is ${r.url})` });
    }
  });

export type SchemaRegistryConfig = z.infer<typeof schemaRegistrySchema>;
