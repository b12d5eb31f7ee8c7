import { scanCommand, type ScanCommandOptions } from './scan.js';
import type { CliIO } from './io.js';

export type BaselineCommandOptions = Omit<ScanCommandOptions, 'learnOnly' | 'statePath'> & { statePath: string };

/**
 * `lkm-scan baseline --state FILE known-good...`: reads inputs like a scan, with the same rule
 * options, but only to learn the new_terms rules' terms into FILE, so that a later
 * `lkm-scan --state FILE` alerts only on what the known-good logs did not show. No alert is
 * output; the exit status is 0, or 2 when an input or a rule could not be used.
 */
export function baselineCommand(opts: BaselineCommandOptions, io: CliIO): Promise<number> {
  return scanCommand({ ...opts, learnOnly: true }, io);
}
