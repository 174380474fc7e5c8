import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { topologySchema } from '../../../src/config/schema.js';
import { configurationPage, PAGE_FILE } from '../../../src/dev/config-reference/configuration-page.js';
import { settingRows } from '../../../src/dev/config-reference/setting-rows.js';

describe('docs/configuration.md', () => {
  it('is what the topology schema and docs/configuration.template.md generate', () => {
    expect(
      readFileSync(PAGE_FILE, 'utf8'),
      'docs/configuration.md differs from what the config schemas generate: run `npm run docs:config` and commit the result',
    ).toBe(configurationPage());
  });

  it('describes every setting of the topology, each stage and each sink', () => {
    const undescribed = settingRows(topologySchema)
      .rows.filter((r) => r.description.trim() === '')
      .map((r) => `${r.path}${r.conditions.map((c) => ` (${c.key}: ${c.value})`).join('')}`);
    expect(undescribed, 'add .describe() to these fields of the schema').toEqual([]);
  });

  it('lists each destination of destinations.ts with its settings', async () => {
    const { DESTINATIONS } = await import('../../../src/sinks/destinations.js');
    const page = readFileSync(PAGE_FILE, 'utf8');
    for (const destination of DESTINATIONS) {
      const type = destination.configSchema.shape.type.value;
      expect(page).toContain(`#### \`type: ${type}\``);
      for (const key of Object.keys(destination.configSchema.shape)) expect(page).toContain(`| \`sinks[].${key}\` |`);
    }
  });
});
