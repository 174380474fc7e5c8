import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { renderReference } from '../../../src/dev/config-reference/reference-markdown.js';
import { settingRows } from '../../../src/dev/config-reference/setting-rows.js';

const color = z.enum(['red', 'green', 'blue', 'cyan', 'magenta', 'yellow', 'black', 'white', 'grey']).describe('colour');

/** A small topology-like schema with every construct the generator walks. */
const schema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z]+$/, 'lower-case letters')
      .describe('what it is called'),
    server: z
      .object({
        url: z.string().url().describe('where it listens'),
        port: z.number().int().min(1).max(65535).default(8080).describe('its port'),
        timeoutMs: z.number().int().positive().optional().describe('how long a request may take'),
        tls: z
          .object({ verify: z.boolean().default(true).describe('check the certificate') })
          .strict()
          .refine(() => true, 'never')
          .default({})
          .describe('TLS settings'),
      })
      .strict()
      .describe('the server'),
    tags: z
      .record(z.string().describe('tag'), z.array(color).min(1))
      .default({ main: ['red'] })
      .describe('colours by tag'),
    outputs: z
      .array(
        z.discriminatedUnion('kind', [
          z
            .object({
              kind: z.literal('file'),
              label: z.string().describe('a label'),
              path: z.string().describe('the file'),
              mode: z.enum(['append', 'truncate']).default('append').describe('how it is opened'),
            })
            .strict()
            .describe('writes to a file'),
          z
            .object({ kind: z.literal('http'), label: z.string().describe('a label'), url: z.string().url().describe('the endpoint') })
            .strict()
            .describe('posts to a URL'),
        ]),
      )
      .min(1)
      .describe('where output goes'),
    ratio: z.number().gt(0).max(1).default(0.5).describe('a share'),
  })
  .strict()
  .superRefine(() => undefined);

const row = (path: string) => settingRows(schema).rows.filter((r) => r.path === path);

describe('the config reference generator', () => {
  it('lists every field of nested objects with its type, default and description, through refine and default wrappers', () => {
    expect(row('server.port')).toEqual([
      { path: 'server.port', type: 'int 1–65535', default: '`8080`', description: 'its port', conditions: [] },
    ]);
    expect(row('server.timeoutMs')[0]).toMatchObject({ type: 'int > 0', default: '*optional*' });
    expect(row('server.url')[0]).toMatchObject({ type: 'URL', default: '*required*', description: 'where it listens' });
    expect(row('server.tls')[0]).toMatchObject({ type: 'object', default: "each field's default", description: 'TLS settings' });
    expect(row('server.tls.verify')[0]).toMatchObject({ type: 'boolean', default: '`true`' });
    expect(row('name')[0]).toMatchObject({ type: 'string: lower-case letters', default: '*required*' });
    expect(row('ratio')[0]).toMatchObject({ type: 'number > 0, ≤ 1', default: '`0.5`' });
  });

  it('names map keys by the key schema description and shows long described enums by name', () => {
    const tree = settingRows(schema);
    expect(row('tags')[0]).toMatchObject({
      type: 'map of string → list of [colour](#colour), at least 1',
      default: '`{ main: [ red ] }`',
      description: 'colours by tag',
    });
    expect(tree.namedEnums.get('colour')).toEqual(['red', 'green', 'blue', 'cyan', 'magenta', 'yellow', 'black', 'white', 'grey']);
  });

  it('lists a discriminated union once: the discriminator, the settings every variant shares, then each variant its own', () => {
    const tree = settingRows(schema);
    const outputs = tree.rows.filter((r) => r.path.startsWith('outputs[]'));
    expect(outputs.map((r) => [r.path, r.conditions.map((c) => c.value).join()])).toEqual([
      ['outputs[].kind', ''],
      ['outputs[].label', ''],
      ['outputs[].path', 'file'],
      ['outputs[].mode', 'file'],
      ['outputs[].url', 'http'],
    ]);
    expect(outputs[0]).toMatchObject({ type: '`file` | `http`', default: '*required*' });
    expect(tree.unions.get('outputs[]')).toEqual({
      key: 'kind',
      variants: [
        { value: 'file', description: 'writes to a file' },
        { value: 'http', description: 'posts to a URL' },
      ],
    });
  });

  it('reads an enum discriminator: one variant for all its values (kafka.sasl: plain | scram-* with a password, or oauthbearer)', () => {
    const sasl = z.object({
      sasl: z
        .discriminatedUnion('mechanism', [
          z.object({ mechanism: z.enum(['plain', 'scram']), password: z.string().describe('the password') }).describe('a password'),
          z.object({ mechanism: z.literal('token'), tokenUrl: z.string().url().describe('where tokens come from') }),
        ])
        .describe('how it logs in'),
    });
    const rows = settingRows(sasl).rows;
    expect(rows.find((r) => r.path === 'sasl.mechanism')).toMatchObject({
      type: '`plain` | `scram` | `token`',
      description: '`plain | scram`: a password; `token`: ',
    });
    expect(rows.find((r) => r.path === 'sasl.password')?.conditions).toEqual([
      { unionPath: 'sasl', key: 'mechanism', value: 'plain | scram' },
    ]);
  });

  it('lists a plain union of objects (a route or a preset) as the shared settings, then each option marked by its own required key', () => {
    const routes = z.object({
      routes: z
        .array(
          z.union([
            z.object({ preset: z.enum(['a', 'b']).describe('a preset'), after: z.boolean().optional().describe('then') }),
            z.object({
              match: z.string().describe('a glob'),
              logType: z.string().describe('its type'),
              after: z.boolean().optional().describe('then'),
            }),
          ]),
        )
        .describe('the routes'),
    });
    const rows = settingRows(routes).rows;
    expect(rows.map((r) => [r.path, r.conditions.map((c) => c.key).join()])).toEqual([
      ['routes', ''],
      ['routes[].after', ''],
      ['routes[].preset', 'preset'],
      ['routes[].match', 'match'],
      ['routes[].logType', 'match'],
    ]);
    const page = renderReference(routes, '<!-- config:settings (top level) -->\n<!-- config:settings routes -->');
    expect(page).toContain('| `routes[].match` | string | *required* | *with `match`:* a glob |');
  });

  it('fills the template: one table per marker, a sub-heading per variant, value lists, markdown pipes escaped', () => {
    const template = [
      '# Reference',
      '<!-- config:settings (top level) -->',
      '## server',
      '<!-- config:settings server -->',
      'Hand-written text stays as it is.',
      '## outputs',
      '<!-- config:settings outputs -->',
      '## values',
      '<!-- config:value-lists -->',
    ].join('\n');
    const page = renderReference(schema, template);
    expect(page.split('\n')[0]).toMatch(/^<!-- Generated by `npm run docs:config`/);
    expect(page).toContain('| `server` | object | *required* | the server |');
    expect(page, 'a map of scalars is one row of the top level, not a section').toContain(
      '| `tags` | map of string → list of [colour](#colour)',
    );
    expect(page).toContain('| `server.port` | int 1–65535 | `8080` | its port |');
    expect(page).toContain('Hand-written text stays as it is.');
    expect(page).toContain('| `outputs[].kind` | `file` \\| `http` | *required* |');
    expect(page).toContain('#### `kind: file`\n\nWrites to a file.\n\n| setting | type | default | description |');
    expect(page).toContain('| `outputs[].mode` | `append` \\| `truncate` | `append` | how it is opened |');
    expect(page).toContain('#### colour\n\n`red`, `green`, `blue`');
    expect(page).not.toContain('<!-- config:');
  });

  it('refuses a template that leaves out a section, names an unknown one or places one twice', () => {
    const all = ['(top level)', 'server', 'outputs'].map((s) => `<!-- config:settings ${s} -->`);
    const lists = '<!-- config:value-lists -->';
    expect(() => renderReference(schema, [...all.slice(0, 2), lists].join('\n'))).toThrow(
      /no <!-- config:settings … --> marker for: outputs/,
    );
    expect(() => renderReference(schema, [...all, '<!-- config:settings servers -->', lists].join('\n'))).toThrow(
      /"servers": no such section/,
    );
    expect(() => renderReference(schema, [...all, all[1], lists].join('\n'))).toThrow(/"server" appears twice/);
    expect(() => renderReference(schema, all.join('\n'))).toThrow(/no <!-- config:value-lists --> marker/);
  });
});
