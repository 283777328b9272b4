/**
 * The serving app: one Hono application for `brewlake serve` (Node server) and the serving
 * Lambda (function URL). Routes, validation and the OpenAPI document come from the same
 * definitions (`routes.ts`); the model comes from a `ModelBackend` (`registry-backend.ts`).
 */
import { swaggerUI } from '@hono/swagger-ui';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { routePath } from 'hono/route';
import { checkToken, presentedToken, type TokenSource } from './admin-token';
import { predictRequestSchemas, type BeerInput, type LabelledBeerInput, type PredictResponse } from './beer-request-schema';
import { docsAssetFiles, docsAssetsBase, docsAssetsRoute, isDocsAssetFile, type DocsAssetSource } from './docs-assets';
import { clientClosedRequestStatus, jsonBodyGate, jsonSyntaxError } from './json-body';
import { methodNotAllowedGate } from './method-not-allowed';
import type { ModelBackend } from './model-backend';
import { modelsAnswer } from '../../model/version-listing';
import { createModelHolder, type ModelHolder } from './model-holder';
import type { PredictionSink } from './prediction-sink';
import { prometheusContentType } from './prometheus';
import { requestIds, type RequestIdVariables } from './request-ids';
import { fieldIssues, invalidRequestMessage, type ErrorBody, type ErrorName, type FieldIssue } from './request-errors';
import { serveRoutes } from './routes';
import { createServeMetrics, type ServeMetrics } from './serve-metrics';
import { defaultServeLimits, type ServeLimits } from './serve-limits';

export interface ServeAuth {
  /** The admin token's source: env locally, SSM in AWS. */
  readonly token: TokenSource;
}

export interface ServeAppOptions<M> {
  readonly backend: ModelBackend<M>;
  readonly auth: ServeAuth;
  readonly limits?: Partial<ServeLimits>;
  /** Milliseconds since the epoch; injectable so tests control when the pointer is re-checked. */
  readonly clock?: () => number;
  readonly predictionSink?: PredictionSink;
  /** How often (at most) a request re-checks the promotion pointer. */
  readonly reloadCheckEveryMs?: number;
  /** Swagger UI's files; without them `/docs` renders but cannot load its script. */
  readonly docsAssets?: DocsAssetSource;
  /** A registry to add metrics to (the prediction log adds its own). */
  readonly metrics?: ServeMetrics;
}

type Env = { Variables: RequestIdVariables };
type AppContext = Context<Env>;

/** Routes that serve the documentation, not the API: they are not in the OpenAPI document. */
export const documentationRoutes = ['/', '/openapi.json', '/docs', docsAssetsRoute] as const;

type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 413 | 415 | 422 | 500 | 503 | typeof clientClosedRequestStatus;

export function errorResponse<S extends ErrorStatus>(c: AppContext, status: S, name: ErrorName, message: string, issues?: readonly FieldIssue[]) {
  const client = c.get('clientRequestId');
  const body = {
    error: { name, message, ...(issues ? { issues: [...issues] } : {}) },
    request_id: c.get('requestId') ?? '',
    ...(client !== undefined ? { client_request_id: client } : {}),
  } satisfies ErrorBody;
  c.set('errorName' as never, name as never);
  // 499 is not in Hono's list of status codes: it is unofficial (nginx's).
  return c.json(body, status as Exclude<S, typeof clientClosedRequestStatus>);
}

const invalidRequest = (c: AppContext, issues: readonly FieldIssue[]) => errorResponse(c, 400, 'InvalidRequest', invalidRequestMessage(issues), issues);

/** The parser's own words for why a body is not JSON. */
function malformedJson(c: AppContext, error: unknown) {
  const reason = error instanceof Error ? error.message : String(error);
  return errorResponse(c, 400, 'MalformedJson', `the body is not valid JSON: ${reason}`, [{ path: '', reason }]);
}

/** Serialises admin changes (retrain, promote) so "the previous version" is always true. */
function createMutex() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };
}

export function createServeAppWithBackend<M>(options: ServeAppOptions<M>) {
  const limits: ServeLimits = { ...defaultServeLimits, ...options.limits };
  const clock = options.clock ?? Date.now;
  const metrics = options.metrics ?? createServeMetrics();
  const { backend } = options;
  const routes = serveRoutes(limits);
  const predictSchemas = predictRequestSchemas(limits.maxBatchSize);
  const exclusive = createMutex();

  const holder: ModelHolder<M> = createModelHolder({
    source: backend.source,
    checkEveryMs: options.reloadCheckEveryMs ?? 1000,
    clock,
    onLoad: (outcome) => metrics.modelLoads.inc({ outcome: outcome.ok ? 'loaded' : 'failed' }),
  });
  // Start loading now, so the first request does not pay for it.
  void holder.refreshIfDue();

  const app = new OpenAPIHono<Env>({
    defaultHook: (result, c) => {
      if (!result.success) return invalidRequest(c, fieldIssues(result.error));
    },
  });

  app.use(requestIds());

  // Metrics: every request, labelled by its route template (not its URL, which would explode the series).
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    const matched = routePath(c, -1);
    const route = matched === '' || matched === '/*' || matched === '*' ? 'unmatched' : matched;
    const status = String(c.res.status);
    metrics.requests.inc({ route, method: c.req.method, status });
    metrics.latency.observe((performance.now() - started) / 1000, { route });
    if (c.res.status >= 400) metrics.errors.inc({ route, name: (c.get('errorName' as never) as string | undefined) ?? `HTTP${status}` });
  });

  app.use(
    methodNotAllowedGate(app as never, (c, allowed) =>
      errorResponse(c as AppContext, 405, 'MethodNotAllowed', `${c.req.path} does not answer ${c.req.method}: it answers ${allowed.join(', ')}`),
    ),
  );

  const adminOnly: MiddlewareHandler<Env> = async (c, next) => {
    const check = await checkToken(presentedToken(c.req.raw.headers), options.auth.token);
    if (!check.ok) {
      if (check.status === 401) c.header('WWW-Authenticate', 'Bearer realm="brewlake"');
      return errorResponse(c, check.status, check.name, check.message);
    }
    await next();
  };

  const bodyGate = jsonBodyGate(limits.maxBodyBytes, (c, refusal) => {
    if (refusal.status === clientClosedRequestStatus) {
      // A client abort is counted and logged on its own, below ERROR: a thousand slow
      // clients that hang up must not read as a thousand server failures.
      metrics.clientAborts.inc({ route: c.req.path });
      console.info(JSON.stringify({ level: 'INFO', message: 'client closed the request', request_id: c.get('requestId'), path: c.req.path, reason: refusal.message }));
      return errorResponse(c as AppContext, refusal.status, refusal.name, refusal.message);
    }
    return errorResponse(c as AppContext, refusal.status, refusal.name, refusal.message, [{ path: refusal.path, reason: refusal.message }]);
  });

  if (limits.requireTokenForPredict) app.use('/predict', adminOnly);
  app.use('/predict', bodyGate);
  app.use('/retrain', adminOnly, bodyGate);
  app.use('/models/:version/promote', adminOnly);

  app.openAPIRegistry.registerComponent('securitySchemes', 'adminToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'The admin token (BREWLAKE_ADMIN_TOKEN locally; an SSM parameter in AWS)',
  });

  // /predict validates by hand, not through the route's zod validator: the fast check
  // (`accepts`) passes a valid body on the hot path, and only a refused body is parsed by zod,
  // for its reasons. The route is still documented from the same zod schemas.
  app.openAPIRegistry.registerPath(routes.predict);
  app.post(routes.predict.path, async (c) => {
    const started = performance.now();
    const text = await c.req.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      return malformedJson(c, error);
    }
    // A body that is neither a valid beer nor a valid list: report the fields of the shape it
    // tried to be, not zod's "matched no union member".
    if (!predictSchemas.accepts(body)) {
      const refused = (Array.isArray(body) ? predictSchemas.list : predictSchemas.single).safeParse(body);
      return invalidRequest(c, refused.success ? [{ path: '', reason: 'not a beer or a list of beers' }] : fieldIssues(refused.error));
    }
    const beers: readonly BeerInput[] = Array.isArray(body) ? body : [body];
    await holder.refreshIfDue();
    // Read once: this request scores with this model to the end, whatever is promoted meanwhile.
    const loaded = holder.current();
    if (!loaded) {
      const failure = holder.lastLoadError();
      return errorResponse(c, 503, 'NoModelLoaded', failure ? `no model is loaded: ${failure}` : 'no model is loaded yet: train one (npx brewlake train) or promote a version');
    }
    const predictions = backend.predict(loaded.model, beers);
    metrics.predictions.inc({ model_version: loaded.version }, predictions.length);
    const request_id = c.get('requestId');
    if (options.predictionSink) {
      try {
        options.predictionSink({
          request_id,
          predicted_at: clock(),
          model_version: loaded.version,
          feature_sets: beers.map((beer) => backend.answeredBy(loaded.model, beer)),
          beers,
          predictions,
          latency_ms: performance.now() - started,
        });
      } catch {
        metrics.predictionSinkErrors.inc();
      }
    }
    const client_request_id = c.get('clientRequestId');
    return c.json(
      { model_version: loaded.version, request_id, ...(client_request_id !== undefined ? { client_request_id } : {}), predictions: predictions.map((ibu) => ({ ibu })) } satisfies PredictResponse,
      200,
    );
  });

  app.openapi(routes.retrain, async (c) => {
    const { records, force } = c.req.valid('json');
    const outcome = await exclusive(async () => {
      // Compare with the promoted model even when this is the first request after start-up.
      await holder.refreshIfDue();
      const result = await backend.retrain(records as readonly LabelledBeerInput[], holder.current(), force ?? false);
      if (result.ok && result.promoted) await holder.reload();
      return result;
    });
    if (!outcome.ok) return errorResponse(c, 422, outcome.error.name, outcome.error.message, outcome.error.issues);
    const { ok: _ok, ...answer } = outcome;
    return c.json({ ...answer, request_id: c.get('requestId') }, 200);
  });

  app.openapi(routes.listModels, async (c) => {
    return c.json(modelsAnswer(await backend.list(), holder.current()?.version ?? null), 200);
  });

  app.openapi(routes.promote, async (c) => {
    const { version } = c.req.valid('param');
    const outcome = await exclusive(async () => {
      const result = await backend.promote(version);
      if (result.ok) await holder.reload();
      return result;
    });
    if (!outcome.ok) return errorResponse(c, 404, 'UnknownVersion', `no stored model version ${JSON.stringify(version)}: GET /models lists them`);
    return c.json({ promoted: version, previous_version: outcome.previous, request_id: c.get('requestId') }, 200);
  });

  app.openapi(routes.health, (c) => c.json({ status: 'ok' as const }, 200));

  app.openapi(routes.ready, async (c) => {
    await holder.refreshIfDue();
    const loaded = holder.current();
    if (!loaded) {
      const failure = holder.lastLoadError();
      return c.json({ status: 'not_ready' as const, reason: failure ? `no model loaded: ${failure}` : 'no model loaded: nothing is promoted in the registry yet' }, 503);
    }
    return c.json({ status: 'ready' as const, model_version: loaded.version }, 200);
  });

  app.openapi(routes.metrics, (c) => c.text(metrics.registry.render(), 200, { 'Content-Type': prometheusContentType }));

  app.doc('/openapi.json', {
    openapi: '3.0.3',
    info: {
      title: 'brewlake IBU API',
      version: '1.0.0',
      description: 'Predicts the bitterness (IBU) of PunkAPI-style beers from their recipe features, and manages the model versions that answer.',
    },
  });

  // The address `brewlake serve` prints is the root: a person opening it lands on the docs.
  app.get('/', (c) => c.redirect('/docs', 302));
  app.get('/docs', swaggerUI({ url: '/openapi.json', baseUrl: docsAssetsBase, title: 'brewlake API' }));
  app.get(docsAssetsRoute, async (c) => {
    const file = c.req.param('file');
    const bytes = isDocsAssetFile(file) ? await options.docsAssets?.(file) : undefined;
    if (!bytes || !isDocsAssetFile(file)) return errorResponse(c, 404, 'NotFound', `no documentation asset ${file}`);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': docsAssetFiles[file], 'Cache-Control': 'public, max-age=86400' });
  });

  app.notFound((c) => errorResponse(c, 404, 'NotFound', `no route ${c.req.method} ${c.req.path}: see /docs`));
  app.onError(async (error, c) => {
    // Hono's validator throws this when `c.req.json()` fails: the body gate has already
    // checked type and size, so it can only be the syntax.
    if (error instanceof HTTPException && error.status === 400) return malformedJson(c, jsonSyntaxError(await c.req.text()) ?? error.message);
    console.error(JSON.stringify({ level: 'ERROR', message: 'unhandled error', request_id: c.get('requestId'), client_request_id: c.get('clientRequestId'), path: c.req.path, error: error instanceof Error ? error.stack : String(error) }));
    return errorResponse(c, 500, 'InternalError', 'internal error: the request id identifies it in the logs');
  });

  return app;
}

export type ServeApp = ReturnType<typeof createServeAppWithBackend>;
