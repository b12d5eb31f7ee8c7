// `node --import ./test/support/moduleLog.mjs ...`: writes the URL of every module the process
// loads (its own files and packages) to the file named by MODULE_LOG, one a line, so a test can
// see which modules a command really loaded (test/e2e/startup.test.ts).
import { register } from 'node:module';

register('./moduleLogHooks.mjs', import.meta.url);
