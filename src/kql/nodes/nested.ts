import { NO_REQUIREMENTS } from '../../event/requirements.js';
import { isJsonObject } from '../../event/types.js';
import { compileFieldClause } from '../fieldAccess.js';
import type { KqlNodeKind, KqlNodeOf, KqlTypeContext } from './kind.js';

/**
 * `path:{ query }` (SPEC §B.1): the inner query runs against each object of the field, with
 * field names relative to `path`, so all of its conditions must hold in the same object.
 */
export const nestedKind: KqlNodeKind<KqlNodeOf<'nested'>> = {
  compile(node, ctx, sub) {
    const inner = sub.compile(node.query, innerContext(node, ctx));
    return compileFieldClause({ kind: 'name', name: node.path, quoted: true }, (value) => isJsonObject(value) && inner(value));
  },
  // The inner query's values are still values of the line, whatever their path.
  need: (node, ctx, sub) => sub.need(node.query, innerContext(node, ctx)),
  // Its `event.category` would be `path.event.category`, not the event's own.
  requirements: () => NO_REQUIREMENTS,
};

/** The inner query's names are relative to the nested path, for the mapping too (`user.name` for `user:{ name:x }`). */
function innerContext<C extends KqlTypeContext>(node: KqlNodeOf<'nested'>, ctx: C): C {
  return { ...ctx, pathPrefix: `${ctx.pathPrefix}${node.path}.` };
}
