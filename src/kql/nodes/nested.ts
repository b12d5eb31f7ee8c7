import { isJsonObject } from '../../event/types.js';
import { compileFieldClause } from '../fieldAccess.js';
import type { KqlNodeKind, KqlNodeOf } from './kind.js';

/**
 * `path:{ query }` (SPEC §B.1): the inner query runs against each object of the field, with
 * field names relative to `path`, so all of its conditions must hold in the same object.
 */
export const nestedKind: KqlNodeKind<KqlNodeOf<'nested'>> = {
  compile(node, ctx, sub) {
    const inner = sub.compile(node.query, ctx);
    return compileFieldClause({ kind: 'name', name: node.path, quoted: true }, (value) => isJsonObject(value) && inner(value));
  },
  // The inner query's values are still values of the line, whatever their path.
  need: (node, sub) => sub.need(node.query),
  // Its `event.category` would be `path.event.category`, not the event's own.
  categories: () => undefined,
};
