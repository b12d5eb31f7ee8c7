import { compileFieldReader, isScalar } from '../event/fields.js';
import type { EcsEvent } from '../event/types.js';

/**
 * Compiles the reader of one field as display text: its scalar values joined by ", ", or
 * undefined when it has none. Raw: hostile values are escaped (text) or cut (SARIF) by the caller.
 */
export function compileFieldText(path: string): (event: EcsEvent) => string | undefined {
  const reader = compileFieldReader(path);
  return (event) => {
    const values = reader(event).filter(isScalar);
    return values.length === 0 ? undefined : values.map(String).join(', ');
  };
}

/**
 * The facts every output format tells about an alert's event, read the same way by each (text
 * blocks, SARIF messages, the summary's hosts).
 */
export const alertFields = {
  hostName: compileFieldText('host.name'),
  hostHostname: compileFieldText('host.hostname'),
  hostOs: compileFieldText('host.os.type'),
  userName: compileFieldText('user.name'),
  processName: compileFieldText('process.name'),
  processPid: compileFieldText('process.pid'),
  processExecutable: compileFieldText('process.executable'),
  processCommandLine: compileFieldText('process.command_line'),
  filePath: compileFieldText('file.path'),
  eventAction: compileFieldText('event.action'),
};

/** The host an alert is about: host.name, else host.hostname (an empty name counts as none). */
export function alertHost(event: EcsEvent): string | undefined {
  return alertFields.hostName(event) || alertFields.hostHostname(event) || undefined;
}
