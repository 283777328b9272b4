/**
 * The `/monitor` page, over the lake's prediction_log (the data `brewlake drift` judges):
 * the verdict first (a red DRIFT badge on any feature past its threshold, "not enough data"
 * where too few values were logged to judge), then PSI per feature over time,
 * training-against-live histograms, traffic and latency, and predictions by model version.
 * Each drift chart says in one line what PSI and KS mean. Chart.js comes from the app itself.
 */
const psiMeaning = 'PSI: how far live values moved from training, over the training deciles (0 same shape; above the threshold, a different population).';
const ksMeaning = 'KS: the largest gap between the live and training cumulative distributions (0 same, 1 no overlap).';

export function monitorPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>brewlake monitor</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem auto;max-width:1200px;padding:0 1rem;color:#111}
h1{font-size:1.3rem;margin:0 0 .3rem}h2{font-size:1.05rem;margin:1.6rem 0 .5rem}.muted{color:#666}
#drift{display:flex;flex-wrap:wrap;gap:.5rem}
.badge{border:1px solid #ccc;border-radius:6px;padding:.4rem .7rem;min-width:9rem}
.badge b{display:block}.badge[data-drifted="true"]{border-color:#dc2626;background:#fef2f2}
.badge[data-drifted="true"] .status{color:#dc2626;font-weight:700}.status{color:#15803d}
.badge[data-status="not enough data"]{border-style:dashed}.badge[data-status="not enough data"] .status{color:#666}
.meaning{color:#555;font-size:.85rem;margin:.2rem 0 .5rem}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:1rem}
.card{border:1px solid #eee;border-radius:6px;padding:.5rem}
.card h3{font-size:.95rem;margin:.2rem 0}.card[data-drifted="true"] h3{color:#dc2626}
canvas{width:100%!important}
</style></head><body>
<h1>brewlake monitor</h1>
<div class="muted" id="summary">loading…</div>
<h2>Drift against the training data</h2>
<p class="meaning" data-meaning="badges">${psiMeaning} ${ksMeaning}</p>
<div id="drift"></div>
<h2>PSI per feature over time</h2>
<div class="card"><p class="meaning" data-meaning="psi">${psiMeaning} ${ksMeaning} A minute with too few values has no point.</p><canvas id="psi" height="110"></canvas></div>
<h2>Training (grey) against live (colour), per feature</h2>

<div class="grid" id="histograms"></div>
<h2>Traffic</h2>
<div class="grid">
  <div class="card"><h3>Requests and mean latency per minute</h3><canvas id="traffic"></canvas></div>
  <div class="card"><h3>Predictions by model version</h3><canvas id="versions"></canvas></div>
</div>
<script src="/monitor/chart.js"></script>
<script>
const charts = {};
const palette = ['#2563eb','#d97706','#059669','#7c3aed','#db2777','#0891b2','#dc2626'];
function chart(id, config) {
  if (charts[id]) { charts[id].data = config.data; charts[id].update('none'); return; }
  charts[id] = new Chart(document.getElementById(id), { ...config, options: { animation: false, responsive: true, ...config.options } });
}
async function refresh() {
  const data = await (await fetch('/monitor/data')).json();
  const drifted = data.columns.filter(c => c.drifted).map(c => c.name);
  const stat = (x) => x === null ? '—' : x.toFixed(3);
  const missing = (c) => c.missingShare > 0 ? ' · ' + (c.missingShare < 0.01 ? '<1' : Math.round(c.missingShare * 100)) + '% missing' : '';
  const verdict = data.verdict === 'drift' ? 'DRIFT: ' + drifted.join(', ')
    : data.verdict === 'not enough data' ? 'not enough data: fewer than ' + data.minSample + ' logged values to judge'
    : 'no drift';
  document.getElementById('summary').textContent = data.problem ? 'cannot judge: ' + data.problem
    : data.version
    ? 'model ' + data.version + ' · ' + data.rows + ' predictions in the lake\\'s prediction_log, last ' + data.windowMinutes + ' min · PSI threshold ' + data.thresholds.psi + ', KS threshold ' + data.thresholds.ks + ' · ' + verdict
    : 'no model to compare with';
  document.getElementById('summary').dataset.verdict = data.verdict;
  document.getElementById('drift').innerHTML = data.columns.map(c =>
    '<div class="badge" data-feature="' + c.name + '" data-drifted="' + c.drifted + '" data-status="' + c.status + '"><b>' + c.name + '</b>'
    + 'PSI ' + stat(c.psi) + ' · KS ' + stat(c.ks) + ' · n ' + c.n + missing(c)
    + '<div class="status">' + (c.status === 'drift' ? 'DRIFT' : c.status) + '</div></div>').join('');
  const grid = document.getElementById('histograms');
  const shown = data.columns.filter(c => data.charted.includes(c.name));
  for (const [i, c] of shown.entries()) {
    let card = document.getElementById('card-' + c.name);
    if (!card) {
      card = document.createElement('div');
      card.className = 'card'; card.id = 'card-' + c.name;
      card.innerHTML = '<h3></h3><p class="meaning">PSI: shift of the live shares over these bins (0 same, &gt; ' + data.thresholds.psi + ' drift) · KS: largest gap between the CDFs (0–1, &gt; ' + data.thresholds.ks + ' drift)</p><canvas id="hist-' + c.name + '" height="160"></canvas>';
      grid.appendChild(card);
    }
    card.dataset.drifted = c.drifted;
    card.querySelector('h3').textContent = c.name + ' · PSI ' + stat(c.psi) + ' · KS ' + stat(c.ks) + ' · ' + (c.status === 'drift' ? 'DRIFT' : c.status);
    chart('hist-' + c.name, { type: 'bar', data: { labels: c.bins, datasets: [
      { label: 'training', data: c.training, backgroundColor: '#9ca3af' },
      { label: 'live', data: c.live, backgroundColor: c.drifted ? '#dc2626' : palette[i % palette.length] } ] },
      options: { scales: { y: { title: { display: true, text: 'share' } } } } });
  }
  const labels = data.minutes.map(m => m.minute);
  chart('psi', { type: 'line', data: { labels, datasets: [
    ...shown.map((c, i) => ({ label: c.name, data: data.minutes.map(m => m.psi[c.name] ?? null), borderColor: c.drifted ? '#dc2626' : palette[i % palette.length], borderWidth: c.drifted ? 3 : 1.5, spanGaps: true })),
    { label: 'threshold', data: labels.map(() => data.thresholds.psi), borderColor: '#111', borderDash: [6, 4], pointRadius: 0 } ] },
    options: { scales: { y: { beginAtZero: true, title: { display: true, text: 'PSI' } } } } });
  chart('traffic', { type: 'bar', data: { labels, datasets: [
    { label: 'requests', data: data.minutes.map(m => m.requests), backgroundColor: '#93c5fd', yAxisID: 'y' },
    { label: 'mean latency (ms)', type: 'line', data: data.minutes.map(m => m.meanLatencyMs), borderColor: '#d97706', yAxisID: 'ms' } ] },
    options: { scales: { y: { position: 'left', beginAtZero: true }, ms: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false } } } } });
  // Versions are names from the lake: counted in Maps, never looked up on a plain object.
  const perMinute = data.minutes.map(m => new Map(m.byVersion.map(v => [v.version, v.predictions])));
  const versions = [...new Set(data.minutes.flatMap(m => m.byVersion.map(v => v.version)))];
  chart('versions', { type: 'bar', data: { labels, datasets: versions.map((v, i) => ({ label: v, data: perMinute.map(m => m.get(v) ?? 0), backgroundColor: palette[i % palette.length] })) },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } } });
  document.body.dataset.ready = 'true';
}
refresh(); setInterval(refresh, 5000);
</script>
</body></html>`;
}
