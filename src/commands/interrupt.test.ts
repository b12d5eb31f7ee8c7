import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Interruption, processInterrupts, type InterruptSignal } from './interrupt.js';

function fakeProcess() {
  const kills: Array<[number, string]> = [];
  const proc = Object.assign(new EventEmitter(), {
    pid: 4242,
    stderr: new PassThrough(),
    kill: (pid: number, signal: string) => void kills.push([pid, signal]),
  });
  return { proc, kills };
}

describe('processInterrupts', () => {
  it('stops on the first signal; on the second, drops its handlers and dies of that signal', () => {
    const { proc, kills } = fakeProcess();
    const seen: InterruptSignal[] = [];
    processInterrupts(proc).listen((s) => seen.push(s));
    expect(proc.listenerCount('SIGINT')).toBe(1);
    expect(proc.listenerCount('SIGTERM')).toBe(1);
    proc.emit('SIGTERM', 'SIGTERM');
    expect(seen).toEqual(['SIGTERM']);
    expect(kills).toEqual([]);
    proc.emit('SIGINT', 'SIGINT');
    expect(seen).toEqual(['SIGTERM']);
    // The default action (termination) applies only once no listener is left.
    expect(proc.listenerCount('SIGINT')).toBe(0);
    expect(proc.listenerCount('SIGTERM')).toBe(0);
    expect(kills).toEqual([[4242, 'SIGINT']]);
  });

  it('removes its handlers when the command is done', () => {
    const { proc } = fakeProcess();
    const unlisten = processInterrupts(proc).listen(() => {});
    unlisten();
    expect(proc.listenerCount('SIGINT')).toBe(0);
    expect(proc.listenerCount('SIGTERM')).toBe(0);
  });
});

describe('Interruption', () => {
  it('tells which signal came first and aborts its signal', () => {
    let stop: ((s: InterruptSignal) => void) | undefined;
    let listening = false;
    const interruption = new Interruption({
      listen(s) {
        stop = s;
        listening = true;
        return () => (listening = false);
      },
    });
    expect(interruption.interrupted).toBe(false);
    stop?.('SIGTERM');
    stop?.('SIGINT');
    expect(interruption.by).toBe('SIGTERM');
    expect(interruption.signal.aborted).toBe(true);
    interruption.dispose();
    expect(listening).toBe(false);
  });

  it('is never interrupted without a source of interrupts', () => {
    const interruption = new Interruption(undefined);
    expect(interruption.interrupted).toBe(false);
    interruption.dispose();
  });
});
