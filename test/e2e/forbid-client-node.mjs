// `node --import` this to make any import of @kubernetes/client-node fail: the operator process must not load it
// (it costs ~70 MiB). spawnAzo runs every `azo operator` of the e2e tests with it.
import { register } from 'node:module';

const hook = `export async function resolve(specifier, context, next) {
  if (specifier === '@kubernetes/client-node' || specifier.startsWith('@kubernetes/client-node/')) {
    throw new Error('the operator must not load @kubernetes/client-node (imported by ' + context.parentURL + ')');
  }
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
