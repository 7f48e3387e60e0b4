/**
 * One entry point for every report format. The CLI picks the format and decides colour and width from the
 * terminal; the renderers themselves are pure functions of the report.
 */
import { checkNumberAtLeast, checkOptionsObject, checkType } from '../option-error.js';
import type { Report } from '../types.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { stripControl } from './sanitize.js';
import { renderTable } from './table.js';

export type OutputFormat = 'table' | 'json' | 'csv' | 'markdown' | 'html';

/** Every format, in the order a help text lists them. */
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'csv', 'markdown', 'html'];

export interface FormatOptions {
  /** table: colours (caller decides from TTY/NO_COLOR/--no-color). Default false. */
  color?: boolean | undefined;
  /** table: terminal width to fit, a number >= 1, rounded down; Infinity: the default (100). */
  width?: number | undefined;
  /** Max groups shown in table/markdown/html: a number >= 0, rounded down, or Infinity (default: all). */
  top?: number | undefined;
  /** Evidence samples shown per group and category in table/markdown: a number >= 0, rounded down (default 3). */
  samples?: number | undefined;
}

/**
 * Checks the options as scan() checks its own, throwing a {@link ScanOptionError} that names `where` and the
 * option: `top: -1`, `width: 0` and `samples: NaN` used to give the default output without a word. Every format
 * checks them all, also those it does not use. Null is not given.
 */
export function checkFormatOptions(where: string, options: FormatOptions | null | undefined): void {
  checkOptionsObject(where, options);
  if (options == null) return;
  checkType(where, 'color', options.color, 'boolean');
  checkNumberAtLeast(where, 'width', options.width, 1);
  checkNumberAtLeast(where, 'top', options.top, 0);
  checkNumberAtLeast(where, 'samples', options.samples, 0);
}

/** Narrows user input (a CLI flag) to a format name. */
export function isOutputFormat(value: string): value is OutputFormat {
  return (OUTPUT_FORMATS as readonly string[]).includes(value);
}

/**
 * Renders a report. json and csv always contain every group; `top` shapes table, markdown and html (whose groups
 * table it cuts to the worst `top` groups), `samples` table and markdown only, and `color`/`width` the table only.
 */
export function formatReport(report: Report, format: OutputFormat, options: FormatOptions = {}): string {
  checkFormatOptions('formatReport()', options);
  options ??= {};
  switch (format) {
    case 'table':
      return renderTable(report, options);
    case 'json':
      return renderJson(report);
    case 'csv':
      return renderCsv(report);
    case 'markdown':
      return renderMarkdown(report, options);
    case 'html':
      return renderHtml(report, { top: options.top });
    default: {
      // Reachable from untyped callers (a CLI flag passed through unchecked).
      const name: string = format;
      throw new Error(`unknown output format "${stripControl(name)}" (expected one of: ${OUTPUT_FORMATS.join(', ')})`);
    }
  }
}

export { renderCsv } from './csv.js';
export { renderHtml } from './html.js';
export { jsonChunks, renderJson } from './json.js';
export { renderMarkdown } from './markdown.js';
export { csvCell, escapeHtml, markdownCell, stripControl, toWellFormed, truncate } from './sanitize.js';
export { renderTable } from './table.js';
