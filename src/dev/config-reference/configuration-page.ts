import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { topologySchema } from '../../config/schema.js';
import { renderReference } from './reference-markdown.js';

const repoFile = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

/** The hand-written parts of docs/configuration.md, with a marker where each section's settings go. */
export const TEMPLATE_FILE = repoFile('docs/configuration.template.md');
export const PAGE_FILE = repoFile('docs/configuration.md');

/** docs/configuration.md as the topology schema and the template make it. */
export function configurationPage(): string {
  return renderReference(topologySchema, readFileSync(TEMPLATE_FILE, 'utf8'));
}
