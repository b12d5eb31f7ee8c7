// The need of a KQL query is the query's own answer: each node type gives its needles beside its
// evaluation, in src/kql/nodes/.
export { kqlNeed } from '../kql/nodes/index.js';
