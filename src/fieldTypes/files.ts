import { readFileSync } from 'node:fs';
import { MappingError, parseMappingText } from './mapping.js';
import type { LoadedMapping } from './mapping.js';
import { FieldTypeTable } from './table.js';

/**
 * `--mapping FILE` (repeatable): the files' text, read once by the main thread and handed to scan
 * workers as text, so every thread types fields from the same bytes (rules/shared.ts puts them in
 * the rule-set fingerprint).
 */
export interface MappingSource {
  /** As the user named it, for messages. */
  readonly file: string;
  readonly text: string;
}

/** Reads the files; one that cannot be read is a MappingError naming it and why. */
export function readMappingFiles(paths: readonly string[]): MappingSource[] {
  return paths.map((file) => {
    try {
      return { file, text: readFileSync(file, 'utf8') };
    } catch (e) {
      const why = e instanceof Error && 'code' in e && e.code === 'ENOENT' ? 'no such file' : e instanceof Error ? e.message : String(e);
      throw new MappingError('$', `cannot read the mapping file (${why}); give the path of a JSON mapping or index template`, file);
    }
  });
}

/**
 * The field-type table of these mappings, later files overriding earlier ones field by field (and
 * their dynamic templates tried first), and notes on what was left out (dynamic templates that
 * cannot apply offline). Throws MappingError with the file and JSON path.
 */
export function fieldTypesOf(sources: readonly MappingSource[]): { fieldTypes: FieldTypeTable; notes: string[] } {
  if (sources.length === 0) return { fieldTypes: FieldTypeTable.builtin(), notes: [] };
  const merged: LoadedMapping = { fields: new Map(), dynamicTemplates: [], skipped: [] };
  for (const { file, text } of sources) {
    const loaded = parseMappingText(text, file);
    for (const [path, field] of loaded.fields) merged.fields.set(path, field);
    merged.dynamicTemplates.unshift(...loaded.dynamicTemplates);
    merged.skipped.push(...loaded.skipped.map((s) => `${file}: ${s}`));
  }
  return { fieldTypes: FieldTypeTable.withMapping(merged), notes: merged.skipped };
}
