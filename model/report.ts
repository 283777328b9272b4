/**
 * A model version's report: one self-contained HTML file (inline SVG, no script, no
 * server) with what people would rather see than read: predicted against actual,
 * residuals, feature importance, and the cross-validation table.
 */
import type { ModelArtifact } from './artifact';
import type { CvResult, ReferenceResult } from './evaluate';
import { roundIbu } from './ibu-precision';
import type { Lineage } from './registry';

export interface ReportInput {
  readonly artifact: ModelArtifact;
  readonly lineage: Lineage;
  readonly cv: CvResult;
  /** Measured IBU by beer id, for the charts. */
  readonly actual: ReadonlyMap<number, number>;
  readonly names?: ReadonlyMap<number, string>;
  readonly reference?: readonly ReferenceResult[];
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const f = (x: number, digits = 3) => (Number.isFinite(x) ? x.toFixed(digits) : '–');

/** Out-of-fold predictions of the first repeat: each beer predicted once, by a model that never saw it. */
function outOfFold(cv: CvResult): Map<number, number> {
  const out = new Map<number, number>();
  for (const fold of cv.folds) {
    for (const [id, p] of fold.predictions) if (!out.has(id)) out.set(id, p);
  }
  return out;
}

function scatter(points: { x: number; y: number; label: string }[]): string {
  const size = 420;
  const pad = 48;
  // Log axes: the 1085 and 1157 outliers would squash every other beer into a corner.
  const t = (v: number) => Math.log10(Math.max(1, v));
  const max = t(Math.max(10, ...points.flatMap((p) => [p.x, p.y])));
  const sx = (v: number) => pad + (t(v) / max) * (size - 2 * pad);
  const sy = (v: number) => size - pad - (t(v) / max) * (size - 2 * pad);
  const ticks = [1, 10, 100, 1000].filter((v) => t(v) <= max);
  return `<svg viewBox="0 0 ${size} ${size}" width="${size}" height="${size}" role="img" aria-label="predicted against actual IBU">
  <line x1="${sx(1)}" y1="${sy(1)}" x2="${sx(10 ** max)}" y2="${sy(10 ** max)}" stroke="#999" stroke-dasharray="4"/>
  ${ticks.map((v) => `<text x="${sx(v)}" y="${size - pad + 16}" font-size="11" text-anchor="middle">${v}</text><text x="${pad - 6}" y="${sy(v) + 4}" font-size="11" text-anchor="end">${v}</text>`).join('')}
  <text x="${size / 2}" y="${size - 8}" font-size="12" text-anchor="middle">actual IBU</text>
  <text x="14" y="${size / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 14 ${size / 2})">predicted IBU</text>
  <rect x="${pad}" y="${pad}" width="${size - 2 * pad}" height="${size - 2 * pad}" fill="none" stroke="#ccc"/>
  ${points.map((p) => `<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3.5" fill="#d97706" fill-opacity="0.65"><title>${esc(p.label)}</title></circle>`).join('\n  ')}
</svg>`;
}

function histogram(values: number[], label: string): string {
  const width = 420;
  const height = 240;
  const pad = 40;
  const clip = 150;
  const bins = 30;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.max(0, Math.floor(((Math.max(-clip, Math.min(clip, v)) + clip) / (2 * clip)) * bins)))]!++;
  const top = Math.max(1, ...counts);
  const bw = (width - 2 * pad) / bins;
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(label)}">
  ${counts.map((c, i) => `<rect x="${(pad + i * bw).toFixed(1)}" y="${(height - pad - (c / top) * (height - 2 * pad)).toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${((c / top) * (height - 2 * pad)).toFixed(1)}" fill="#2563eb"><title>${c}</title></rect>`).join('')}
  <line x1="${width / 2}" y1="${pad - 10}" x2="${width / 2}" y2="${height - pad}" stroke="#111"/>
  <text x="${pad}" y="${height - pad + 16}" font-size="11">−${clip}</text><text x="${width - pad}" y="${height - pad + 16}" font-size="11" text-anchor="end">+${clip}</text>
  <text x="${width / 2}" y="${height - 8}" font-size="12" text-anchor="middle">${esc(label)} (clipped at ±${clip})</text>
</svg>`;
}

function importance(names: readonly string[], gain: readonly number[]): string {
  const total = gain.reduce((s, g) => s + g, 0) || 1;
  const rows = names.map((n, i) => ({ n, share: gain[i]! / total })).sort((a, b) => b.share - a.share).slice(0, 15);
  const width = 520;
  const rowHeight = 20;
  const labelWidth = 200;
  return `<svg viewBox="0 0 ${width} ${rows.length * rowHeight + 10}" width="${width}" height="${rows.length * rowHeight + 10}" role="img" aria-label="feature importance">
  ${rows.map((r, i) => `<text x="${labelWidth - 6}" y="${i * rowHeight + 15}" font-size="12" text-anchor="end">${esc(r.n)}</text><rect x="${labelWidth}" y="${i * rowHeight + 4}" width="${((width - labelWidth - 50) * r.share) / rows[0]!.share}" height="${rowHeight - 6}" fill="#059669"/><text x="${labelWidth + 4 + ((width - labelWidth - 50) * r.share) / rows[0]!.share}" y="${i * rowHeight + 15}" font-size="11">${(r.share * 100).toFixed(1)}%</text>`).join('\n  ')}
</svg>`;
}

export function renderReport(input: ReportInput): string {
  const { artifact, lineage, cv } = input;
  const oof = outOfFold(cv);
  const points = [...oof].flatMap(([id, p]) => {
    const a = input.actual.get(id);
    return a === undefined ? [] : [{ x: a, y: Math.max(p, 1), label: `${input.names?.get(id) ?? id}: actual ${a}, predicted ${roundIbu(p)}` }];
  });
  const residuals = [...oof].flatMap(([id, p]) => (input.actual.has(id) ? [p - input.actual.get(id)!] : []));
  const row = (label: string, s: CvResult['summary']) =>
    `<tr><td>${esc(label)}</td><td>${f(s.mean.r2)} ± ${f(s.std.r2)}</td><td>${f(s.mean.rmse, 1)} ± ${f(s.std.rmse, 1)}</td><td>${f(s.mean.mae, 2)} ± ${f(s.std.mae, 2)}</td></tr>`;
  const references = (input.reference ?? [])
    .map((r) => `<tr class="ref"><td>${esc(`${r.model}, ${r.features}`)}</td><td>${f(r.r2)}</td><td></td><td>${f(r.mae, 2)}</td><td>${f(r.r2WithoutOutliers)}</td><td>${f(r.rmseWithoutOutliers, 1)}</td></tr>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>brewlake model ${esc(lineage.version)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1000px;color:#111;padding:0 1rem}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.3rem .7rem;text-align:right}td:first-child,th:first-child{text-align:left}
tr.ref td{color:#666}.grid{display:flex;flex-wrap:wrap;gap:2rem}code{background:#f3f4f6;padding:0 .2rem}
</style></head><body>
<h1>IBU model <code>${esc(lineage.version)}</code>: ${esc(artifact.featureSet)} features</h1>
<p>Trained ${esc(lineage.trainedAt)} on ${lineage.rows} beers (data SHA-256 <code>${esc(lineage.dataHash.slice(0, 16))}…</code>) from the ${esc(lineage.engine)} engine;
${artifact.trees.length} trees of depth ≤ ${Math.max(...(artifact.params.blendDepths ?? [artifact.params.maxDepth]))}${artifact.params.blendDepths ? ` (a blend of depths ${artifact.params.blendDepths.join(', ')})` : ''}, learning rate ${artifact.params.learningRate}, ${esc(artifact.params.loss)} loss. Code ${esc(lineage.codeVersion)}.</p>
<h2>Cross-validation (${cv.summary.folds} folds: ${esc(cv.plan)})</h2>
<table><tr><th></th><th>R²</th><th>RMSE</th><th>MAE</th></tr>
${row('all beers', cv.summary)}${row('without 137, 185', cv.withoutOutliers)}</table>
${references ? `<h2>Reference results on the same folds</h2><table><tr><th>model</th><th>R²</th><th></th><th>MAE</th><th>R² w/o 137,185</th><th>RMSE w/o 137,185</th></tr>${references}</table>` : ''}
<div class="grid">
<section><h2>Predicted against actual (out of fold)</h2>${scatter(points)}</section>
<section><h2>Residuals: predicted − actual</h2>${histogram(residuals, 'IBU error')}</section>
</div>
<h2>Feature importance (share of split gain)</h2>${importance(artifact.features, artifact.gain)}
<h2>Training query</h2><pre>${esc(lineage.sql)}</pre>
</body></html>`;
}
