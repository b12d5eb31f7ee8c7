import { Chalk, type ChalkInstance } from 'chalk';

/**
 * Colour is on when stdout is a terminal, unless the user said otherwise. Precedence, most
 * specific first: `--color` / `--no-color`, then NO_COLOR (any non-empty value, no-color.org),
 * then FORCE_COLOR (`0`/`false` off, anything else on), then whether stdout is a TTY.
 */
export function colorEnabled(flag: boolean | undefined, env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (flag !== undefined) return flag;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return isTTY;
}

export function makeChalk(enabled: boolean): ChalkInstance {
  return new Chalk({ level: enabled ? 1 : 0 });
}
