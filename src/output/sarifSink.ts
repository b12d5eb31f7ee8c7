import type { Alert } from '../engine/alert.js';
import { stringifyJson } from '../event/json.js';
import type { Rule } from '../rules/types.js';
import type { BatchedWriter } from './batchedWriter.js';
import { GITHUB_MAX_RESULTS, SARIF_SCHEMA, SRCROOT, directoryUri, sarifResult, sarifRule } from './sarif.js';
import type { AlertSink, ScanOutcome } from './sink.js';

export interface SarifOptions {
  /** List every rule that ran in `tool.driver.rules`, not only those that fired (`--sarif-all-rules`). */
  allRules: boolean;
  /** Results written at most (`--max-results`); the rest are counted in a notification. */
  maxResults: number;
  /** The directory result locations are relative to (SRCROOT). */
  cwd: string;
}

export const DEFAULT_SARIF_OPTIONS: Omit<SarifOptions, 'cwd'> = { allRules: false, maxResults: GITHUB_MAX_RESULTS };

/** Indents every line after the first of a pretty-printed JSON value, to nest it in the document. */
const nested = (value: unknown, depth: number) => stringifyJson(value, 2).replaceAll('\n', '\n' + ' '.repeat(depth));

/**
 * Streams one SARIF log with one run: each result is written as its alert arrives (one line each),
 * and what depends on the whole scan (the rules that fired, the invocation's outcome) after the
 * results, when the scan ends. JSON key order is free, so `results` comes first in the run.
 * Memory holds the set of fired rules, never the alerts.
 */
export class SarifSink implements AlertSink {
  /** Rule id → its index in `tool.driver.rules`, in the order rules first fired. */
  private readonly fired = new Map<string, { rule: Rule; index: number }>();
  private written = 0;
  private omitted = 0;

  constructor(
    private readonly writer: BatchedWriter,
    private readonly rules: readonly Rule[],
    private readonly version: string,
    private readonly options: SarifOptions,
  ) {
    writer.write(`{\n  "$schema": ${JSON.stringify(SARIF_SCHEMA)},\n  "version": "2.1.0",\n  "runs": [\n    {\n      "results": [`);
  }

  write(alert: Alert): void {
    if (this.written >= this.options.maxResults) {
      this.omitted++;
      return;
    }
    let entry = this.fired.get(alert.rule.id);
    if (entry === undefined) this.fired.set(alert.rule.id, (entry = { rule: alert.rule, index: this.fired.size }));
    const result = stringifyJson(sarifResult(alert, entry.index, this.options.cwd));
    this.writer.write((this.written === 0 ? '\n        ' : ',\n        ') + result);
    this.written++;
  }

  pace(): Promise<void> | undefined {
    return this.writer.pace();
  }

  end(outcome: ScanOutcome): Promise<void> {
    const rules = [...this.fired.values()].map((f) => f.rule);
    if (this.options.allRules) for (const rule of this.rules) if (!this.fired.has(rule.id)) rules.push(rule);
    const tool = {
      driver: {
        name: 'lkm-scan',
        version: this.version,
        semanticVersion: this.version,
        informationUri: 'https://github.com/elastic/detection-rules',
        rules: rules.map(sarifRule),
      },
    };
    const invocation = {
      executionSuccessful: outcome.inputErrors.length === 0 && outcome.malformed === 0 && !outcome.interrupted && outcome.nothingEvaluated === undefined,
      workingDirectory: { uri: directoryUri(this.options.cwd) },
      toolExecutionNotifications: this.notifications(outcome),
    };
    const originalUriBaseIds = {
      [SRCROOT]: { uri: directoryUri(this.options.cwd), description: { text: 'The working directory lkm-scan ran in.' } },
    };
    this.writer.write(
      (this.written === 0 ? '],\n' : '\n      ],\n') +
        `      "tool": ${nested(tool, 6)},\n` +
        `      "invocations": [\n        ${nested(invocation, 8)}\n      ],\n` +
        `      "originalUriBaseIds": ${nested(originalUriBaseIds, 6)},\n` +
        `      "columnKind": "utf16CodeUnits"\n    }\n  ]\n}\n`,
    );
    return this.writer.end();
  }

  /** Why the run may be incomplete, for GitHub's tool status page and any other viewer. */
  private notifications(outcome: ScanOutcome): Array<{ level: 'error' | 'warning'; message: { text: string } }> {
    const out: Array<{ level: 'error' | 'warning'; message: { text: string } }> = [];
    for (const e of outcome.inputErrors) out.push({ level: 'error', message: { text: `Input ${e.source} could not be read in full: ${e.message}.` } });
    if (outcome.malformed > 0) {
      const n = outcome.malformed;
      out.push({
        level: 'warning',
        message: { text: `${n} malformed line${n === 1 ? ' was' : 's were'} skipped (not a JSON object); lkm-scan's stderr names each with file:line.` },
      });
    }
    if (outcome.interrupted) {
      out.push({ level: 'error', message: { text: 'The scan was interrupted before it read all its input; the results cover the events read until then.' } });
    }
    if (outcome.nothingEvaluated !== undefined) {
      out.push({ level: 'error', message: { text: `Nothing was scanned, so no result does not mean no alert: ${outcome.nothingEvaluated}.` } });
    }
    if (this.omitted > 0) {
      out.push({
        level: 'warning',
        message: {
          text:
            `${this.omitted} more result${this.omitted === 1 ? ' was' : 's were'} left out: a run holds at most ${this.options.maxResults} ` +
            `(--max-results; GitHub code scanning accepts at most ${GITHUB_MAX_RESULTS}).`,
        },
      });
    }
    return out;
  }
}
