/**
 * Test fixture: stands in for the transform Lambda where a test needs cleaned rows the
 * DuckDB views can read: each record parsed as a catalogue beer and projected on the
 * cleaned columns by glue's own lake fixture. A record that is not JSON is ProcessingFailed.
 */
import type { FirehoseTransformationResultRecord } from 'aws-lambda';
import { cleanedRowOf, type catalogue } from '../../test/catalogue-lake';
import type { FirehoseProcessor } from './transformation';

export const cleanCatalogueBeer: FirehoseProcessor = (event) => ({
  records: event.records.map((r): FirehoseTransformationResultRecord => {
    let beer: (typeof catalogue)[number];
    try {
      beer = JSON.parse(Buffer.from(r.data, 'base64').toString('utf8')) as (typeof catalogue)[number];
    } catch {
      return { recordId: r.recordId, result: 'ProcessingFailed', data: r.data };
    }
    const row = cleanedRowOf(beer, new Date(r.approximateArrivalTimestamp));
    return { recordId: r.recordId, result: 'Ok', data: Buffer.from(`${JSON.stringify(row)}\n`).toString('base64') };
  }),
});
