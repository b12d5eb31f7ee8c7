import { SEVERITIES, type Severity } from '../rules/types.js';

// What the commands' options may hold, apart from the commands: cli.ts checks arguments against
// these while it defines every command, and imports a command's module only when it runs.

/** `--fail-on` levels: a severity, or `never` for a scan that reports without failing a CI job. */
export type FailOn = Severity | 'never';
export const FAIL_ON_LEVELS: readonly FailOn[] = [...SEVERITIES, 'never'];

/** `lkm-scan test --format`: the readable list, one JSON document, or JUnit XML for CI. */
export const RULE_TEST_FORMATS = ['text', 'json', 'junit'] as const;
export type RuleTestFormat = (typeof RULE_TEST_FORMATS)[number];

/** Default `lkm-scan explain --limit`: an explanation is read by a person, event by event. */
export const DEFAULT_EXPLAIN_LIMIT = 100;
