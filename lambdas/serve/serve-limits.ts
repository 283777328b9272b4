/** What the serving app accepts before a request reaches validation or the model. */
export interface ServeLimits {
  /** Most beers one `POST /predict` may carry. */
  readonly maxBatchSize: number;
  /** Largest request body, in bytes (checked on Content-Length and on the bytes read). */
  readonly maxBodyBytes: number;
  /** Fewest labelled records `POST /retrain` trains on. */
  readonly minRetrainRows: number;
  /** Most labelled records one `POST /retrain` may send (the catalogue has 325 beers). */
  readonly maxRetrainRows: number;
  /** When true, `POST /predict` needs the admin token too. */
  readonly requireTokenForPredict: boolean;
}

export const defaultServeLimits: ServeLimits = {
  maxBatchSize: 1000,
  maxBodyBytes: 1024 * 1024,
  minRetrainRows: 20,
  maxRetrainRows: 20_000,
  requireTokenForPredict: false,
};
