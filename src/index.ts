/// <reference types="node" preserve="true" />
// The declarations name Buffer and node:stream: this makes them load @types/node for consumers whose tsconfig has
// no `types` (TypeScript 6+ loads no @types by default). preserve="true" keeps it in dist/index.d.ts (TS 5.5+).
/**
 * logscan's public API. Stages, in pipeline order: read → sessions → classify → report → output.
 * `scan()` runs them all; the building blocks are exported for streaming use.
 */
export type * from './types.js';

export { scan, type ScanOptions, type ScanFilter, type ScanProgress } from './scan.js';
export { ScanOptionError } from './options.js';

// read
export { readProtocolLog, parseProtocolText, type ProtocolHeader, type ProtocolReadOptions } from './read/protocol.js';
export { detectInput, inferDirection, emptyStats, type Detection } from './read/detect.js';
export type { TextEncoding } from './read/fields.js';
export { readQueueExport } from './read/queue/index.js';
export { expandInputs, openInput, type ExpandResult, type InputRef, type OpenedInput, type ThisServer, type WalkFs } from './read/inputs.js';

// sessions
export { SessionAssembler, assembleSessions, type SessionOptions, type OriginInfo } from './sessions/builder.js';
export { summarizeSession, type SessionMeta } from './sessions/facts.js';
export { parseEndpoint } from './sessions/endpoint.js';

// classify
export { classifySession, classifySessions, classifyText, categoryInfo } from './classify/classify.js';
export { defaultRules, QUEUE_ERROR_RULE, type Rule, type RuleMatch } from './classify/rules.js';
export { classifyReply, type TextMatch, type TextCategory } from './classify/replies.js';
export { parseLastError } from './classify/lasterror.js';
export { queueFindings } from './classify/queue.js';

// report
export { ReportBuilder, type ReportOptions, type PartialReport } from './report/builder.js';
export { mergeReports, repeatedInputs, RepeatedInputError, FiltersMismatchError, InvalidReportError, type MergeOptions, type RepeatedInput } from './report/merge.js';

// output
export { formatReport, type OutputFormat, type FormatOptions } from './output/index.js';
export { renderHtml, htmlChunks, type HtmlOptions } from './output/html.js';
// The large formats in pieces, for writing a report of many thousand groups without one string of it.
export { jsonChunks } from './output/json.js';
export { csvChunks } from './output/csv.js';

export { VERSION } from './version.js';
