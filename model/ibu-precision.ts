/**
 * How precisely an IBU leaves brewlake: the API's answer, the prediction log, the predictions
 * table and the out-of-fold rows all carry the same value. The catalogue states IBU in whole
 * units and the model's error is about 15 IBU (MAE), so two decimals lose nothing a reader
 * could use, and the same beer reads the same number in every place.
 */
export const ibuDecimals = 2;

const scale = 10 ** ibuDecimals;

export function roundIbu(ibu: number): number {
  return Math.round(ibu * scale) / scale;
}
