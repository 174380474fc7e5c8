import { z } from 'zod';

/** The schema a wrapper (optional, default, refine/transform, nullable, lazy, …) wraps; undefined for a schema that wraps none. */
export function peel(node: z.ZodTypeAny): z.ZodTypeAny | undefined {
  if (node instanceof z.ZodOptional || node instanceof z.ZodNullable || node instanceof z.ZodReadonly || node instanceof z.ZodBranded)
    return node.unwrap();
  if (node instanceof z.ZodDefault) return node.removeDefault();
  if (node instanceof z.ZodCatch) return node.removeCatch();
  if (node instanceof z.ZodEffects) return node.innerType();
  if (node instanceof z.ZodLazy) return node.schema;
  return undefined;
}

/** The schema under every wrapper. */
export function base(schema: z.ZodTypeAny): z.ZodTypeAny {
  let node = schema;
  for (let inner = peel(node); inner; inner = peel(node)) node = inner;
  return node;
}
