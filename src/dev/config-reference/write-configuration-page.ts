// `npm run docs:config`: regenerates docs/configuration.md from the topology schema and its template.
import { writeFileSync } from 'node:fs';
import { configurationPage, PAGE_FILE } from './configuration-page.js';

writeFileSync(PAGE_FILE, configurationPage());
console.log(`wrote ${PAGE_FILE}`);
