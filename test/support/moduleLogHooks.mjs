// Module hooks of moduleLog.mjs (they run in Node's hooks thread): each file module loaded, once.
import { appendFileSync } from 'node:fs';

export async function load(url, context, nextLoad) {
  const loaded = await nextLoad(url, context);
  if (url.startsWith('file:') && process.env.MODULE_LOG) appendFileSync(process.env.MODULE_LOG, `${url}\n`);
  return loaded;
}
