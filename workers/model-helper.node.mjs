// Worker threads do not inherit a TypeScript loader: register tsx, then load the real entry.
import { register } from 'tsx/esm/api';

register();
await import('./model-helper.node.ts');
