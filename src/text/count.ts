/**
 * A count with its thousands grouped as en-US writes them (`1,234,567`), exactly as
 * `toLocaleString('en-US')` writes it. Not that call itself: its first use loads ICU's number
 * formats, ~13 ms of CPU, which is more than the rest of the summary of a small scan costs, and
 * the summary is mostly counts. A value that is not a safe integer is left to toLocaleString.
 */
export function formatCount(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let grouped = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = grouped.length; i < digits.length; i += 3) grouped += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${grouped}` : grouped;
}
