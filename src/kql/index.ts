export type { KqlField, KqlNode, KqlNodeType, KqlRangeOperator, KqlValue } from './ast.js';
export { valueText } from './ast.js';
export { describeSyntaxError, formatKqlSyntaxError, parseKql, parseKqlLiteral } from './parse.js';
export { compileKql } from './compile.js';
export type { KqlCompileOptions } from './compile.js';
export { kqlCategories, kqlNeed, kqlRequirements } from './nodes/index.js';
