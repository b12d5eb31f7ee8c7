import type { Writable } from 'node:stream';
import type { ChalkInstance } from 'chalk';
import type { Alert } from '../engine/alert.js';
import type { Rule } from '../rules/types.js';
import { alertJsonLine } from './alertJson.js';
import { BatchedWriter } from './batchedWriter.js';
import type { SarifOptions } from './sarifSink.js';
import { formatAlertText } from './text.js';
import type { AlertExplanation } from '../explain/alert.js';
import type { ScanSummary } from './summary.js';
import type { TimeWindow } from '../engine/timeWindow.js';

export type OutputFormat = 'text' | 'json' | 'sarif' | 'elastic' | 'html';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'json', 'sarif', 'elastic', 'html'];

/** How the scan went, for formats that record it beside the alerts (SARIF's invocation). */
export interface ScanOutcome {
  /** Inputs that could not be read, or not to their end. */
  inputErrors: Array<{ source: string; message: string }>;
  /** Inputs' values that could not be read as an event (invalid JSON, not an object, too long, cut off). */
  malformed: number;
  /** A signal stopped the scan before its inputs were read to the end. */
  interrupted: boolean;
  /** Why no event was evaluated, when that makes the scan fail (src/input/nothingEvaluated.ts). */
  nothingEvaluated?: string;
  /** The scan's counts, for formats that show them (the HTML report's totals). */
  summary?: ScanSummary;
}

/**
 * Where alerts go: one implementation per format behind this interface, so the scan writes alerts
 * and paces its reading without knowing the format; it only hands over a `SinkContext`.
 */
export interface AlertSink {
  write(alert: Alert): void;
  /**
   * Undefined when the output can take more; else a promise to await before reading more input
   * (the output stream is over its high-water mark), so memory stays bounded with a slow reader.
   */
  pace(): Promise<void> | undefined;
  /** Writes what is left; resolves once everything was handed to the output stream. */
  end(outcome: ScanOutcome): Promise<void>;
}

export interface SinkContext {
  /** stdout's colours, made only by a format that colours (text): the others never load chalk. */
  chalk: () => Promise<ChalkInstance>;
  rules: readonly Rule[];
  version: string;
  /** `--sarif-all-rules`, `--max-results`; unset, the sink's DEFAULT_SARIF_OPTIONS. */
  sarif: Partial<SarifOptions> & Pick<SarifOptions, 'cwd'>;
  /** `--explain` (text and json): why each alert fired (src/explain); absent, alerts are written as always. */
  explain?: (alert: Alert) => AlertExplanation;
  /** `--since` / `--until`, for formats that show the scan's window. */
  window?: TimeWindow;
}

/**
 * The sink of `format`. Every format's module but text's and json's, and the explanation's
 * renderer, is imported here when asked for: a scan loads only the output it writes.
 */
export async function createSink(format: OutputFormat, out: Writable, ctx: SinkContext): Promise<AlertSink> {
  const writer = new BatchedWriter(out);
  // --explain: the explainer, and its renderer with it.
  const explained = ctx.explain === undefined ? undefined : { explain: ctx.explain, render: await import('../explain/render.js') };
  switch (format) {
    case 'text': {
      const chalk = await ctx.chalk();
      const why = explained === undefined ? () => '' : (alert: Alert) => explained.render.alertExplanationText(explained.explain(alert), chalk);
      return {
        write: (alert) => writer.write(formatAlertText(alert, chalk) + why(alert) + '\n'),
        pace: () => writer.pace(),
        end: () => writer.end(),
      };
    }
    case 'json': {
      // Measured with every line alerting: the ndjson package's serializer plus one write per
      // alert took half the scan time; a prebuilt line and batched writes take a few percent.
      const line = explained === undefined ? alertJsonLine : (alert: Alert) => alertJsonLine(alert, explained.render.alertExplanationEntries(explained.explain(alert)));
      return {
        write: (alert) => writer.write(line(alert)),
        pace: () => writer.pace(),
        end: () => writer.end(),
      };
    }
    case 'elastic': {
      const { elasticAlertLine } = await import('./elasticSink.js');
      return {
        write: (alert) => writer.write(elasticAlertLine(alert)),
        pace: () => writer.pace(),
        end: () => writer.end(),
      };
    }
    case 'sarif': {
      // One document, streamed: results as they come, rules and outcome at the end.
      const { DEFAULT_SARIF_OPTIONS, SarifSink } = await import('./sarifSink.js');
      const { allRules = DEFAULT_SARIF_OPTIONS.allRules, maxResults = DEFAULT_SARIF_OPTIONS.maxResults, cwd } = ctx.sarif;
      return new SarifSink(writer, ctx.rules, ctx.version, { allRules, maxResults, cwd });
    }
    case 'html':
      return new (await import('./html/sink.js')).HtmlSink(writer, ctx);
  }
}
