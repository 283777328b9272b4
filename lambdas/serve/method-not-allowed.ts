/**
 * 405 for a known path asked with a method it does not answer (`GET /predict`), with the
 * `Allow` header RFC 9110 requires. It runs before the body gate and the token check, so a
 * wrong method is never mistaken for a wrong body (415) or a missing token (401).
 */
import type { Hono, MiddlewareHandler } from 'hono';

type RouteTable = readonly { readonly pattern: RegExp; readonly methods: ReadonlySet<string> }[];

/** `/models/:version/promote` → a regex over the path (`:name{re}` keeps its own pattern). */
function pathPattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      const param = /^:[^{]+(?:\{(.+)\})?\??$/.exec(segment);
      if (param) return param[1] ? `(?:${param[1]})` : '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}/?$`);
}

function routeTable(app: Hono<never>): RouteTable {
  const byPath = new Map<string, Set<string>>();
  for (const route of app.routes) {
    // Middleware is registered as ALL; only handlers say which methods a path answers.
    if (route.method === 'ALL') continue;
    const methods = byPath.get(route.path) ?? new Set<string>();
    methods.add(route.method);
    if (route.method === 'GET') methods.add('HEAD');
    byPath.set(route.path, methods);
  }
  return [...byPath].map(([path, methods]) => ({ pattern: pathPattern(path), methods }));
}

/**
 * Answers 405 through `refuse` when the path is routed but not for this method. Routes added
 * after this middleware (the dashboard's) count too: the table is rebuilt when routes change.
 */
export function methodNotAllowedGate<A extends Hono<never>>(app: A, refuse: (c: Parameters<MiddlewareHandler>[0], allowed: readonly string[]) => Response): MiddlewareHandler {
  let table: RouteTable = [];
  let builtAt = -1;
  return async (c, next) => {
    if (builtAt !== app.routes.length) {
      table = routeTable(app);
      builtAt = app.routes.length;
    }
    const matching = table.filter((route) => route.pattern.test(c.req.path));
    if (matching.length > 0 && !matching.some((route) => route.methods.has(c.req.method))) {
      const allowed = [...new Set(matching.flatMap((route) => [...route.methods]))].sort();
      c.header('Allow', allowed.join(', '));
      return refuse(c, allowed);
    }
    await next();
  };
}
