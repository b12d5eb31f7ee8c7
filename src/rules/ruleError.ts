import { formatDiagnostic, type Diagnostic } from './diagnostic.js';

/** A rule file that cannot be used: names the file, the field and (for queries) the position. */
export class RuleError extends Error {
  override readonly name = 'RuleError';
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }

  /** The multi-line, caret-underlined text shown to the user. */
  format(): string {
    return formatDiagnostic(this.diagnostic);
  }
}

/**
 * A rule path that could not be read at all (missing, unreadable, a folder without rules): not a
 * broken rule but an incomplete pack, which `validate` reports with exit 2 rather than 1.
 */
export class RulePathError extends RuleError {}
