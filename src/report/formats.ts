import type { Report } from './model.js';
import { renderText } from './text.js';

export const REPORT_FORMATS = ['text', 'json', 'sarif', 'junit', 'markdown', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface RenderOptions {
  readonly verbose: boolean;
  readonly color: boolean;
  /** SARIF artifact paths are made relative to it. */
  readonly sourceRoot: string;
}

/** Every format renders the same report. */
export function renderReport(report: Report, format: ReportFormat, opts: RenderOptions): string {
  switch (format) {
    case 'text': return renderText(report, opts);
    case 'json': return JSON.stringify(report, null, 2) + '\n';
    default: throw new Error(`format ${format} is not wired yet`);
  }
}
