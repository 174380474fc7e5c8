import { createHash } from 'node:crypto';
import type { DrainConfig } from './config.js';

/**
 * Drain (He et al., ICWS 2017): log lines are grouped into templates by a fixed-depth parse
 * tree — first by token count, then by the first tokens — and, within a leaf, by the share of
 * equal tokens. A line that joins a template turns the tokens that differ into "<*>".
 */
export interface Template {
  id: string;
  tokens: string[];
  count: number;
  /** the tree path the template was filed under; kept so a restored tree is the same tree */
  path: string[];
}

const WILDCARD = '<*>';
const MASKS: Array<[RegExp, string]> = [
  [/\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b/g, '<IP>'],
  [/\b(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{1,4}\b/gi, '<IP>'],
  [/\b0x[0-9a-f]+\b/gi, '<HEX>'],
  [/\b[0-9a-f]{8,}\b/gi, '<HEX>'],
  [/[-+]?\b\d+(?:\.\d+)?\b/g, '<NUM>'],
];

interface TreeNode {
  children: Map<string, TreeNode>;
  templates: string[];
}

const node = (): TreeNode => ({ children: new Map(), templates: [] });

export function maskLine(line: string): string[] {
  let masked = line;
  for (const [pattern, replacement] of MASKS) masked = masked.replace(pattern, replacement);
  return masked.split(/\s+/).filter((t) => t !== '');
}

export class DrainMiner {
  private readonly root = node();
  /** in least-recently-matched order, for eviction */
  private readonly templates = new Map<string, Template>();
  private readonly changed = new Set<string>();
  evicted = 0;

  constructor(private readonly config: DrainConfig) {}

  get size(): number {
    return this.templates.size;
  }

  /** Files the line under a template (new or existing) and returns it with its updated count. */
  add(line: string): Template {
    const tokens = maskLine(line);
    const match = this.search(tokens);
    if (match) {
      match.count++;
      match.tokens = match.tokens.map((t, i) => (t === tokens[i] ? t : WILDCARD));
      this.touch(match);
      return match;
    }
    const path = this.pathFor(tokens);
    const created: Template = { id: templateId(tokens), tokens, count: 1, path };
    this.file(created);
    while (this.templates.size > this.config.maxTemplates) this.evictOldest();
    return created;
  }

  /** Templates changed since the last call, and ids of those evicted (null). */
  takeChanges(): Array<[string, Template | null]> {
    const out: Array<[string, Template | null]> = [...this.changed].map((id) => [id, this.templates.get(id) ?? null]);
    this.changed.clear();
    return out;
  }

  restore(template: Template): void {
    this.file(template);
    this.changed.delete(template.id);
  }

  private search(tokens: string[]): Template | undefined {
    let current = this.root.children.get(String(tokens.length));
    // the branch pathFor would file the line under: a token that gets a child of its own never
    // falls back to the `<*>` child, where it would join (and wildcard) another operation's template
    for (let depth = 0; current && depth < this.prefixDepth(tokens); depth++)
      current = current.children.get(this.step(current, tokens[depth] as string));
    if (!current) return undefined;
    let best: Template | undefined;
    let bestScore = -1;
    for (const id of current.templates) {
      const template = this.templates.get(id);
      if (!template) continue;
      const score = similarity(template.tokens, tokens);
      if (score > bestScore) {
        best = template;
        bestScore = score;
      }
    }
    return best && bestScore >= this.config.similarityThreshold ? best : undefined;
  }

  private prefixDepth(tokens: string[]): number {
    return Math.min(this.config.depth - 2, tokens.length);
  }

  private pathFor(tokens: string[]): string[] {
    const path = [String(tokens.length)];
    let current = this.root.children.get(path[0] as string);
    for (let depth = 0; depth < this.prefixDepth(tokens); depth++) {
      const step = this.step(current, tokens[depth] as string);
      path.push(step);
      current = current?.children.get(step);
    }
    return path;
  }

  /** The child a token goes to: its own, or `<*>` for tokens with digits and beyond maxChildren. */
  private step(current: TreeNode | undefined, token: string): string {
    if (current?.children.has(token)) return token;
    if (/\d/.test(token) || token.startsWith('<')) return WILDCARD;
    return (current?.children.size ?? 0) < this.config.maxChildren - 1 ? token : WILDCARD;
  }

  private file(template: Template): void {
    let current = this.root;
    for (const step of template.path) {
      let next = current.children.get(step);
      if (!next) {
        next = node();
        current.children.set(step, next);
      }
      current = next;
    }
    if (!current.templates.includes(template.id)) current.templates.push(template.id);
    this.templates.set(template.id, template);
    this.changed.add(template.id);
  }

  private touch(template: Template): void {
    this.templates.delete(template.id);
    this.templates.set(template.id, template);
    this.changed.add(template.id);
  }

  private evictOldest(): void {
    const oldest = this.templates.values().next();
    if (oldest.done) return;
    const template = oldest.value;
    this.templates.delete(template.id);
    let current: TreeNode | undefined = this.root;
    for (const step of template.path) current = current?.children.get(step);
    if (current) current.templates = current.templates.filter((id) => id !== template.id);
    this.changed.add(template.id);
    this.evicted++;
  }
}

/** Drain's simSeq: the share of positions where the template equals the line ("<*>" positions do not count). */
function similarity(template: string[], tokens: string[]): number {
  let equal = 0;
  for (let i = 0; i < template.length; i++) if (template[i] === tokens[i]) equal++;
  return equal / template.length;
}

/** Stable across restarts and partitions: the template's first form decides its id. */
function templateId(tokens: string[]): string {
  return createHash('sha1').update(tokens.join(' ')).digest('hex').slice(0, 12);
}
