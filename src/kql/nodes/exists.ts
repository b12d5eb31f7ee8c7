import { NO_REQUIREMENTS } from '../../event/requirements.js';
import { hasAnyValue } from '../../event/fields.js';
import { ANY } from '../../prefilter/needles.js';
import { compileTypedFieldClause } from '../fieldAccess.js';
import type { KqlNodeKind, KqlNodeOf } from './kind.js';

/**
 * `field:*`, Elasticsearch's exists query (SPEC §B.1): the field has a value, and an object with a
 * value inside exists. Any value will do, so it promises no bytes and no category.
 */
export const existsKind: KqlNodeKind<KqlNodeOf<'exists'>> = {
  compile(node, ctx) {
    // A multi-field (`process.command_line.text:*`) exists where its parent has a value.
    return compileTypedFieldClause(node.field, ctx, () => valueExists);
  },
  need: () => ANY,
  requirements: () => NO_REQUIREMENTS,
};

function valueExists(value: unknown): boolean {
  return typeof value !== 'object' || hasAnyValue([value]);
}
