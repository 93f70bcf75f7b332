import { renderHtml } from './html.js';
import type { Report } from './model.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';
import { renderText } from './text.js';

export const REPORT_FORMATS = ['text', 'json', 'sarif', 'junit', 'markdown', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface RenderOptions {
  readonly verbose: boolean;
  readonly color: boolean;
  /** SARIF artifact paths are made relative to it. */
  readonly sourceRoot: string;
  /** Where relative object paths were given (SARIF places findings without a source line at the object). */
  readonly workingDirectory?: string;
}

/** Every format renders the same report. */
export function renderReport(report: Report, format: ReportFormat, opts: RenderOptions): string {
  switch (format) {
    case 'text': return renderText(report, opts);
    case 'json': return JSON.stringify(report, null, 2) + '\n';
    case 'sarif': return renderSarif(report, { sourceRoot: opts.sourceRoot, workingDirectory: opts.workingDirectory });
    case 'junit': return renderJunit(report);
    case 'markdown': return renderMarkdown(report);
    case 'html': return renderHtml(report);
    default: throw new Error(`format ${format} is not wired yet`);
  }
}
