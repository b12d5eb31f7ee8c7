import type { Writable } from 'node:stream';
import type { ChalkInstance } from 'chalk';
import type { Alert } from '../engine/alert.js';
import type { Rule } from '../rules/types.js';
import { alertJsonLine } from './alertJson.js';
import { BatchedWriter } from './batchedWriter.js';
import { buildSarif } from './sarif.js';
import { formatAlertText } from './text.js';

export type OutputFormat = 'text' | 'json' | 'sarif';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'json', 'sarif'];

/** Where alerts go. One implementation per format; the scan knows nothing about formats. */
export interface AlertSink {
  write(alert: Alert): void;
  /** Flushes what is pending; resolves once everything was handed to the output stream. */
  end(): Promise<void>;
}

export function createSink(format: OutputFormat, out: Writable, ctx: { chalk: ChalkInstance; rules: readonly Rule[]; version: string }): AlertSink {
  switch (format) {
    case 'text': {
      const writer = new BatchedWriter(out);
      return {
        write: (alert) => writer.write(formatAlertText(alert, ctx.chalk) + '\n'),
        end: () => writer.end(),
      };
    }
    case 'json': {
      // Measured with every line alerting: the ndjson package's serializer plus one write per
      // alert took half the scan time; a prebuilt line and batched writes take a few percent.
      const writer = new BatchedWriter(out);
      return {
        write: (alert) => writer.write(alertJsonLine(alert)),
        end: () => writer.end(),
      };
    }
    case 'sarif': {
      // SARIF is one document: alerts are kept until the end (alerts only, never events).
      const alerts: Alert[] = [];
      return {
        write: (alert) => void alerts.push(alert),
        end: () =>
          new Promise((resolve) => {
            out.write(JSON.stringify(buildSarif(ctx.rules, alerts, ctx.version), null, 2) + '\n', () => resolve());
          }),
      };
    }
  }
}
