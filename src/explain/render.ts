import type { ChalkInstance } from 'chalk';
import type { AlertExplanation } from './alert.js';
import type { ClauseNode } from './clause.js';

/** One clause of an explanation in JSON output (`--explain`): the tree, depth first. */
export interface ExplanationEntry {
  clause: string;
  /** The field the clause reads, or null (a combination, or no single field). */
  field: string | null;
  /** The value found, printable and cut short; null when missing or not applicable. */
  value: string | null;
  result: boolean;
  /** How deep in the tree (0: the whole query): the indentation of the text form. */
  depth: number;
  /** `and`, `or`, `not` for a combination of the entries below it. */
  op?: 'and' | 'or' | 'not';
  /** Sequences and samples, on the root entry of each event: the query it satisfied (1-based), where it was read, its join key (JSON). */
  step?: number;
  at?: string;
  join_key?: string | null;
}

/** The tree as the flat `explanation` array of JSON output. */
export function explanationEntries(node: ClauseNode, depth = 0, out: ExplanationEntry[] = []): ExplanationEntry[] {
  out.push({
    clause: node.clause,
    field: node.field ?? null,
    value: node.value ?? null,
    result: node.result,
    depth,
    ...(node.op === undefined ? {} : { op: node.op }),
  });
  for (const child of node.children ?? []) explanationEntries(child, depth + 1, out);
  return out;
}

const OP_WORDS = { and: 'all of', or: 'any of', not: 'not' } as const;

/**
 * The tree as indented lines: a mark (✓ held, ✗ did not), the clause, and for a leaf the value
 * the event has in its field. Every text in the tree is printable already (clause.ts).
 */
export function explanationLines(node: ClauseNode, chalk: ChalkInstance, indent = ''): string[] {
  const mark = node.result ? chalk.green('✓') : chalk.red('✗');
  const lines: string[] = [];
  if (node.op !== undefined) {
    // A `not` is followed by its one clause: its own text would only repeat it.
    const text = node.op === 'not' ? '' : chalk.dim(`  ${shortened(node.clause)}`);
    lines.push(`${indent}${mark} ${OP_WORDS[node.op]}${text}`);
    for (const child of node.children ?? []) lines.push(...explanationLines(child, chalk, `${indent}  `));
    return lines;
  }
  const found = node.field === undefined ? '' : chalk.dim(`   ${node.field} = ${node.value ?? '(missing)'}`);
  const role = node.role === 'filter' ? chalk.dim('rule filter: ') : '';
  lines.push(`${indent}${mark} ${role}${node.clause}${found}`);
  return lines;
}

/** A combination's own text, which repeats its children's: a glimpse is enough to place it. */
function shortened(text: string): string {
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

/**
 * An alert's explanation as the `explanation` array of JSON output: the rule kind's context first
 * (new term, threshold group) as entries without a field, then each tree depth first.
 */
export function alertExplanationEntries(e: AlertExplanation): ExplanationEntry[] {
  const out: ExplanationEntry[] = e.context.map((text) => ({ clause: text, field: null, value: null, result: true, depth: 0 }));
  for (const { node, step } of e.clauses) {
    const entries = explanationEntries(node);
    if (step !== undefined && entries[0] !== undefined) Object.assign(entries[0], { step: step.step, at: step.at, join_key: step.key });
    out.push(...entries);
  }
  return out;
}

/** An alert's explanation as the indented `why` block under the alert in text output. */
export function alertExplanationText(e: AlertExplanation, chalk: ChalkInstance): string {
  const label = chalk.dim('why'.padEnd(9));
  const pad = ' '.repeat(11);
  const lines: string[] = [...e.context];
  for (const { node, step } of e.clauses) {
    if (step !== undefined) {
      const which = step.step === 0 ? 'an event of the match' : `query ${step.step}`;
      lines.push(`${which}, ${step.at}${step.key === null ? '' : `, join key ${step.key}`}:`);
      lines.push(...explanationLines(node, chalk, '  '));
    } else lines.push(...explanationLines(node, chalk));
  }
  return lines.map((l, i) => `${i === 0 ? `  ${label}` : pad}${l}`).join('\n') + '\n';
}
