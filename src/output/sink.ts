import ndjson from 'ndjson';
import type { Writable } from 'node:stream';
import type { ChalkInstance } from 'chalk';
import type { Alert } from '../engine/alert.js';
import type { Rule } from '../rules/types.js';
import { toAlertDocument } from './alertDocument.js';
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
    case 'text':
      return {
        write: (alert) => void out.write(formatAlertText(alert, ctx.chalk) + '\n'),
        end: () => Promise.resolve(),
      };
    case 'json': {
      // The product owner's ndjson serializer: one JSON document per line.
      const json = ndjson.stringify();
      json.pipe(out, { end: false });
      return {
        write: (alert) => void json.write(toAlertDocument(alert)),
        end: () =>
          new Promise((resolve) => {
            json.once('end', resolve);
            out.once('error', () => resolve());
            json.end();
          }),
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
