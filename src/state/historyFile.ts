import * as nodeFs from 'node:fs';
import { dirname } from 'node:path';
import { termKey, type Term } from '../engine/newTerms.js';
import { parseJson } from '../event/json.js';
import { writeFileAtomic, type AtomicWriteFs } from './atomicWrite.js';
import { MAX_TERM_FIELDS, type RuleTermHistory, type TermHistory } from './termHistory.js';

/**
 * The `--state` file: JSON, one term per line so that a person (or `git diff`) can read it.
 *
 *   { "format": "lkm-scan new_terms history", "version": 1,
 *     "rules": { "<rule id>": { "name": "...", "fields": ["host.name"], "history_window_ms": 604800000,
 *                               "terms": [ [["web-1"], 1717000000000], ... ] } } }
 *
 * A term is written as the JSON array its termKey is made of, with the event time (epoch ms) of
 * its latest sighting. Reading recomputes the key from the parsed term, which gives back the
 * same key for every value a term can hold (strings, numbers as event/json.ts reads them, exact
 * beyond 2^53, booleans).
 */
export const STATE_FORMAT = 'lkm-scan new_terms history';
export const STATE_VERSION = 1;

/** What is wrong with a state text: `newer` when a later lkm-scan wrote it. */
export class InvalidStateError extends Error {
  constructor(
    message: string,
    readonly newer = false,
  ) {
    super(message);
  }
}

/** A state file that cannot be used, with what to do about it. */
export class StateFileError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly remedy: string,
  ) {
    super(`state file ${file}: ${problem}`);
  }

  format(): string {
    return `lkm-scan: error: state file ${this.file}: ${this.problem}\n  ${this.remedy}\n`;
  }
}

export function serializeTermHistory(history: TermHistory): string {
  const rules: string[] = [];
  for (const [id, rule] of history) {
    if (rule.lastSeen.size === 0) continue;
    // Keys are JSON text made by termKey (JSON.stringify), so they are written as they are.
    const terms = [...rule.lastSeen].map(([key, t]) => `        [${key}, ${JSON.stringify(t)}]`);
    rules.push(
      `    ${JSON.stringify(id)}: {\n` +
        `      "name": ${JSON.stringify(rule.name)},\n` +
        `      "fields": ${JSON.stringify(rule.fields)},\n` +
        `      "history_window_ms": ${JSON.stringify(rule.historyWindowMs)},\n` +
        `      "terms": [\n${terms.join(',\n')}\n      ]\n    }`,
    );
  }
  const body = rules.length === 0 ? '{}' : `{\n${rules.join(',\n')}\n  }`;
  return `{\n  "format": ${JSON.stringify(STATE_FORMAT)},\n  "version": ${STATE_VERSION},\n  "rules": ${body}\n}\n`;
}

/** Reads a state text; throws InvalidStateError saying what is wrong and where. */
export function parseTermHistory(text: string): TermHistory {
  if (text.trim() === '') throw new InvalidStateError('it is empty (truncated?)');
  let root: unknown;
  try {
    // Terms beyond 2^53 were written with their digits (termKey); read them back exactly.
    root = parseJson(text);
  } catch (e) {
    const reason = (e as Error).message;
    throw new InvalidStateError(`it is not valid JSON, perhaps truncated (${reason.length > 160 ? reason.slice(0, 160) + '...' : reason})`);
  }
  if (!isObject(root) || root.format !== STATE_FORMAT) throw new InvalidStateError(`it is not an lkm-scan state file (no "format": "${STATE_FORMAT}")`);
  const version = root.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) throw new InvalidStateError(`"version" must be a whole number from 1, found ${String(JSON.stringify(version)).slice(0, 40)}`);
  if (version > STATE_VERSION) throw new InvalidStateError(`it was written by a newer lkm-scan (state format version ${version}; this one reads version ${STATE_VERSION})`, true);
  if (!isObject(root.rules)) throw new InvalidStateError('"rules" must be an object of rule id → history');
  const history: TermHistory = new Map();
  for (const [id, value] of Object.entries(root.rules)) history.set(id, parseRule(value, `rules[${JSON.stringify(id)}]`));
  return history;
}

function parseRule(value: unknown, at: string): RuleTermHistory {
  if (!isObject(value)) throw new InvalidStateError(`${at} must be an object`);
  const { name, fields, history_window_ms: windowMs, terms } = value;
  if (typeof name !== 'string') throw new InvalidStateError(`${at}.name must be a string`);
  if (!isStringList(fields) || fields.length < 1 || fields.length > MAX_TERM_FIELDS) {
    throw new InvalidStateError(`${at}.fields must list 1 to ${MAX_TERM_FIELDS} field names`);
  }
  if (typeof windowMs !== 'number' || !(windowMs > 0) || !Number.isFinite(windowMs)) throw new InvalidStateError(`${at}.history_window_ms must be a positive number`);
  if (!Array.isArray(terms)) throw new InvalidStateError(`${at}.terms must be an array`);
  const lastSeen = new Map<string, number>();
  terms.forEach((entry: unknown, i) => {
    if (!Array.isArray(entry) || entry.length !== 2 || !isTerm(entry[0], fields.length) || typeof entry[1] !== 'number') {
      throw new InvalidStateError(`${at}.terms[${i}] must be [[${fields.length === 1 ? 'value' : `${fields.length} values`}], last seen (epoch ms)]`);
    }
    const key = termKey(entry[0]);
    const t = entry[1];
    lastSeen.set(key, Math.max(t, lastSeen.get(key) ?? -Infinity));
  });
  return { name, fields, historyWindowMs: windowMs, lastSeen };
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function isTerm(value: unknown, length: number): value is Term {
  return (
    Array.isArray(value) &&
    value.length === length &&
    value.every((v) => typeof v === 'string' || typeof v === 'boolean' || typeof v === 'bigint' || (typeof v === 'number' && Number.isFinite(v)))
  );
}

/**
 * Messages quote the file (JSON.parse shows the text around an error, paths name rule ids): keep
 * them on one line and free of control characters, which a hostile file could use on a terminal.
 */
function printable(message: string): string {
  return message.replace(/[\t\n\r]+/g, ' ').replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const CORRUPT_REMEDY =
  'Restore it from a backup, or delete it to start a new history (the next scan then reports every term as new; ' +
  '`lkm-scan baseline --state FILE known-good-logs...` learns one without alerting). Nothing was scanned.';

/**
 * Reads the state file at `path`. Returns undefined when there is none yet (a first run); throws
 * StateFileError when it exists but cannot be used. Never changes the file.
 */
export function readTermHistory(path: string, fs: Pick<typeof nodeFs, 'readFileSync'> = nodeFs): TermHistory | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return undefined;
    throw new StateFileError(path, `cannot be read (${err.code ?? err.message})`, 'Check the path and its permissions. Nothing was scanned.');
  }
  try {
    return parseTermHistory(text);
  } catch (e) {
    if (!(e instanceof InvalidStateError)) throw e;
    const remedy = e.newer ? 'Upgrade lkm-scan, or give another --state file. Nothing was scanned.' : CORRUPT_REMEDY;
    throw new StateFileError(path, printable(e.message), remedy);
  }
}

/**
 * Checks, before anything is scanned, that the state can be saved at `path`: its folder exists
 * and is writable. A scan whose history then cannot be saved would alert again next time.
 */
export function checkStateWritable(path: string): void {
  const folder = dirname(path);
  let problem: string | undefined;
  try {
    if (nodeFs.statSync(folder).isDirectory()) nodeFs.accessSync(folder, nodeFs.constants.W_OK);
    else problem = `${folder} is not a folder`;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    problem = code === 'ENOENT' ? `its folder ${folder} does not exist` : `its folder ${folder} is not writable (${code ?? (e as Error).message})`;
  }
  if (problem) throw new StateFileError(path, `cannot be written: ${problem}`, 'Create the folder or pick another --state path. Nothing was scanned.');
}

/** Saves `history` to `path` atomically (see writeFileAtomic); throws StateFileError on failure. */
export function writeTermHistory(path: string, history: TermHistory, fs?: AtomicWriteFs): void {
  try {
    writeFileAtomic(path, serializeTermHistory(history), fs);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new StateFileError(path, `could not be saved (${err.code ?? err.message}); the file is as it was before this scan`, 'Free disk space or fix permissions, then scan again: this run\'s terms are not remembered.');
  }
}
