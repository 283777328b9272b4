/**
 * The API's routes as OpenAPI definitions: the document at `/openapi.json` and the
 * validation the app runs are the same objects, so they cannot drift apart.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { errorBodySchema } from './request-errors';
import { labelledBeerInputSchema, predictRequestSchemas, predictResponseSchema } from './beer-request-schema';
import type { ServeLimits } from './serve-limits';

export const adminSecurity = [{ adminToken: [] }];

const json = <S extends z.ZodType>(schema: S, description: string) => ({ content: { 'application/json': { schema } }, description });
const error = (description: string) => json(errorBodySchema, description);

const badInput = {
  400: error('Malformed JSON, or a field missing, mistyped or out of range: every offending field is named'),
  413: error('The body is larger than the limit'),
  415: error('The body is not JSON'),
};
const adminErrors = {
  401: error('No admin token was sent'),
  403: error('The admin token is wrong, or none is configured'),
};

const holdoutMetricsSchema = z
  .object({
    rmse: z.number().openapi({ description: 'root mean squared error, IBU' }),
    mae: z.number().openapi({ description: 'mean absolute error, IBU' }),
    r2: z.number().openapi({ description: 'coefficient of determination' }),
  })
  .openapi('HoldoutMetrics');

export const modelVersionSchema = z
  .object({
    version: z.string(),
    created_at: z.string().openapi({ description: 'when it was trained (UTC)' }),
    feature_set: z.string().openapi({ description: 'base | hops' }),
    rows: z.number().openapi({ description: 'labelled rows it was trained on' }),
    metrics: z.record(z.string(), z.number()).openapi({ description: 'evaluation metrics recorded at training' }),
    promoted: z.boolean(),
  })
  .openapi('ModelVersion');

export const retrainResponseSchema = z
  .object({
    version: z.string().openapi({ description: 'the new version (stored whether promoted or not)' }),
    promoted: z.boolean(),
    reason: z.string().openapi({ description: 'why it was or was not promoted' }),
    previous_version: z.string().nullable().openapi({ description: 'the version that was promoted before; it stays available' }),
    holdout: z.object({
      rows: z.number().openapi({ description: 'held-out records both models were scored on' }),
      candidate: holdoutMetricsSchema,
      current: holdoutMetricsSchema.nullable().openapi({ description: 'the promoted version on the same records; null when none' }),
    }),
    reference: z
      .object({
        rows: z.number().openapi({ description: "rows of the lake's training set both models were scored on (the lake's whole training set, or the promoted version's reference sample of it)" }),
        candidate: holdoutMetricsSchema,
        current: holdoutMetricsSchema.nullable(),
      })
      .nullable()
      .optional()
      .openapi({ description: "both models on rows of the lake's training set, which the submitter did not choose: the lake's own (`npx brewlake serve`), else the promoted version's reference sample stored when it was trained; the new version must not be worse there either. null when there is neither: then it is not promoted unless forced" }),
    request_id: z.string(),
  })
  .openapi('RetrainResponse');

export function serveRoutes(limits: ServeLimits) {
  const predictBody = predictRequestSchemas(limits.maxBatchSize).body;
  return {
    predict: createRoute({
      method: 'post',
      path: '/predict',
      tags: ['predictions'],
      summary: 'Predict the IBU of one beer or a list of beers',
      description: `Fields by name, never by position. Answers one prediction per beer, in the order sent, with the model version that answered. A beer sent without a hop bill is answered by the base-feature model trained beside the hop-bill one.${limits.requireTokenForPredict ? ' Needs the admin token.' : ''}`,
      ...(limits.requireTokenForPredict ? { security: adminSecurity } : {}),
      request: { body: { required: true, ...json(predictBody, 'one beer, or a list of beers') } },
      responses: {
        200: json(predictResponseSchema, 'One prediction per beer, in order'),
        ...badInput,
        ...(limits.requireTokenForPredict ? adminErrors : {}),
        503: error('No model is loaded yet'),
      },
    }),

    retrain: createRoute({
      method: 'post',
      path: '/retrain',
      tags: ['models'],
      summary: 'Train a new version on labelled records; promote it if it is not worse',
      description:
        "The new version is stored whatever happens. It is compared with the promoted version on the same held-out records and, where the server has a lake (`npx brewlake serve`), on the lake's training set, which the submitter did not choose; it is promoted only when not worse (RMSE) on each, unless `force`. The previous version stays available for rollback.",
      security: adminSecurity,
      request: {
        body: {
          required: true,
          ...json(
            z
              .object({
                records: z
                  .array(labelledBeerInputSchema)
                  .min(limits.minRetrainRows, { error: `at least ${limits.minRetrainRows} labelled records are needed to train` })
                  .max(limits.maxRetrainRows, { error: `more than the maximum of ${limits.maxRetrainRows} labelled records` })
                  .openapi({ description: `labelled beers (${limits.minRetrainRows} to ${limits.maxRetrainRows})` }),
                force: z.boolean().optional().openapi({ description: 'promote even when worse than the current version' }),
              })
              .openapi('RetrainRequest'),
            'labelled records',
          ),
        },
      },
      responses: {
        200: json(retrainResponseSchema, 'Trained and stored; promoted or not'),
        ...badInput,
        ...adminErrors,
        422: error('A degenerate training set (constant target, a feature with no value at all): nothing trained, nothing changed'),
      },
    }),

    listModels: createRoute({
      method: 'get',
      path: '/models',
      tags: ['models'],
      summary: 'Every stored version, newest first, and which one is promoted and loaded',
      responses: {
        200: json(
          z
            .object({
              promoted: z.string().nullable(),
              pointer_error: z.string().optional().openapi({ description: 'why the promotion pointer cannot be read (promoted is then null); promoting a version repairs it' }),
              loaded: z.string().nullable().openapi({ description: 'the version this instance answers with' }),
              versions: z.array(modelVersionSchema),
            })
            .openapi('ModelList'),
          'The registry',
        ),
      },
    }),

    promote: createRoute({
      method: 'post',
      path: '/models/{version}/promote',
      tags: ['models'],
      summary: 'Promote a stored version (also the rollback)',
      security: adminSecurity,
      request: { params: z.object({ version: z.string().min(1).openapi({ param: { name: 'version', in: 'path' }, example: '20250101T000000Z-abc123' }) }) },
      responses: {
        200: json(z.object({ promoted: z.string(), previous_version: z.string().nullable(), request_id: z.string() }).openapi('PromoteResponse'), 'Promoted and loaded'),
        ...adminErrors,
        404: error('No such version'),
      },
    }),

    health: createRoute({
      method: 'get',
      path: '/health',
      tags: ['operations'],
      summary: 'The process is up',
      responses: { 200: json(z.object({ status: z.literal('ok') }), 'Up') },
    }),

    ready: createRoute({
      method: 'get',
      path: '/ready',
      tags: ['operations'],
      summary: 'A model is loaded and predictions can be answered',
      responses: {
        200: json(z.object({ status: z.literal('ready'), model_version: z.string() }), 'Ready'),
        503: json(z.object({ status: z.literal('not_ready'), reason: z.string() }), 'No model loaded yet'),
      },
    }),

    metrics: createRoute({
      method: 'get',
      path: '/metrics',
      tags: ['operations'],
      summary: 'Prometheus metrics: requests, latency histogram, errors, predictions by model version',
      responses: { 200: { content: { 'text/plain': { schema: z.string() } }, description: 'Prometheus text exposition 0.0.4' } },
    }),
  };
}
