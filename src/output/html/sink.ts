import type { Alert } from '../../engine/alert.js';
import type { TimeWindow } from '../../engine/timeWindow.js';
import type { Rule } from '../../rules/types.js';
import type { BatchedWriter } from '../batchedWriter.js';
import type { AlertSink, ScanOutcome } from '../sink.js';
import { ReportModel } from './model.js';
import { renderReport } from './template.js';

export interface ReportContext {
  version: string;
  rules: readonly Rule[];
  window?: TimeWindow;
}

/** The HTML report of one scan: alerts are collected within REPORT_BOUNDS, the document is rendered at the end. */
export class HtmlReport {
  private readonly model = new ReportModel();

  constructor(private readonly ctx: ReportContext) {}

  add(alert: Alert): void {
    this.model.add(alert);
  }

  render(outcome: ScanOutcome, now = new Date()): string {
    return renderReport(this.model.data({ ...this.ctx, now, summary: outcome.summary, outcome }));
  }
}

/**
 * `--format html`: the report on the output stream. Nothing is written until the scan ends (the
 * document needs every count), so reading never waits on the output; memory is the report's bound.
 */
export class HtmlSink implements AlertSink {
  private readonly report: HtmlReport;

  constructor(
    private readonly writer: BatchedWriter,
    ctx: ReportContext,
  ) {
    this.report = new HtmlReport(ctx);
  }

  write(alert: Alert): void {
    this.report.add(alert);
  }

  pace(): undefined {
    return undefined;
  }

  end(outcome: ScanOutcome): Promise<void> {
    this.writer.write(this.report.render(outcome));
    return this.writer.end();
  }
}
