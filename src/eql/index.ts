/** Public API of the EQL language module (SPEC §A). */
export type * from './ast.js';
export { parseEql } from './parse.js';
export {
  compileEql,
  compileEqlCondition,
  readJoinKey,
  type CompiledEql,
  type CompiledPipe,
  type CompiledSampleStep,
  type CompiledSequenceStep,
  type CompiledUntil,
  type EqlCompileOptions,
  type JoinKey,
} from './compile.js';
export { compileLuceneRegex, RegexSyntaxError } from './regex.js';
