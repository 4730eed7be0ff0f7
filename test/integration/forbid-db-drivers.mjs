// `node --import` this to make any import of the database drivers (pg, mysql2, tedious) fail: the operator loads
// them only when it reconciles a database User (test/integration/operator-module-graph.test.ts).
import { register } from 'node:module';

const hook = `export async function resolve(specifier, context, next) {
  if (/^(pg|mysql2|tedious)(\\/|$)/.test(specifier)) {
    throw new Error('loaded the database driver ' + specifier + ' (imported by ' + context.parentURL + ')');
  }
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
