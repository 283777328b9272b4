/**
 * The `/monitor` page: drift first (a red DRIFT badge on any feature past its threshold),
 * then training-against-live histograms per feature, PSI per feature over time, traffic and
 * latency, and predictions by model version. Chart.js comes from the app itself.
 */
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
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:1rem}
.card{border:1px solid #eee;border-radius:6px;padding:.5rem}
.card h3{font-size:.95rem;margin:.2rem 0}.card[data-drifted="true"] h3{color:#dc2626}
canvas{width:100%!important}
</style></head><body>
<h1>brewlake monitor</h1>
<div class="muted" id="summary">loading…</div>
<h2>Drift against the training data</h2>
<div id="drift"></div>
<h2>PSI per feature over time</h2>
<div class="card"><canvas id="psi" height="110"></canvas></div>
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
  document.getElementById('summary').textContent = data.version
    ? 'model ' + data.version + ' · ' + data.rows + ' live predictions · PSI threshold ' + data.thresholds.psi + ', KS threshold ' + data.thresholds.ks
      + (drifted.length ? ' · DRIFT: ' + drifted.join(', ') : ' · no drift')
    : 'no predictions yet: POST /predict, then come back';
  document.getElementById('drift').innerHTML = data.columns.map(c =>
    '<div class="badge" data-feature="' + c.name + '" data-drifted="' + c.drifted + '"><b>' + c.name + '</b>'
    + 'PSI ' + c.psi.toFixed(3) + ' · KS ' + c.ks.toFixed(3) + ' · n ' + c.n
    + '<div class="status">' + (c.drifted ? 'DRIFT' : 'ok') + '</div></div>').join('');
  const grid = document.getElementById('histograms');
  for (const [i, c] of data.columns.entries()) {
    let card = document.getElementById('card-' + c.name);
    if (!card) {
      card = document.createElement('div');
      card.className = 'card'; card.id = 'card-' + c.name;
      card.innerHTML = '<h3></h3><canvas id="hist-' + c.name + '" height="160"></canvas>';
      grid.appendChild(card);
    }
    card.dataset.drifted = c.drifted;
    card.querySelector('h3').textContent = c.name + (c.drifted ? ': DRIFT (PSI ' + c.psi.toFixed(2) + ')' : '');
    chart('hist-' + c.name, { type: 'bar', data: { labels: c.bins, datasets: [
      { label: 'training', data: c.training, backgroundColor: '#9ca3af' },
      { label: 'live', data: c.live, backgroundColor: c.drifted ? '#dc2626' : palette[i % palette.length] } ] },
      options: { scales: { y: { title: { display: true, text: 'share' } } } } });
  }
  const labels = data.minutes.map(m => m.minute);
  chart('psi', { type: 'line', data: { labels, datasets: [
    ...data.columns.map((c, i) => ({ label: c.name, data: data.minutes.map(m => m.psi[c.name] ?? null), borderColor: c.drifted ? '#dc2626' : palette[i % palette.length], borderWidth: c.drifted ? 3 : 1.5, spanGaps: true })),
    { label: 'threshold', data: labels.map(() => data.thresholds.psi), borderColor: '#111', borderDash: [6, 4], pointRadius: 0 } ] },
    options: { scales: { y: { beginAtZero: true, title: { display: true, text: 'PSI' } } } } });
  chart('traffic', { type: 'bar', data: { labels, datasets: [
    { label: 'requests', data: data.minutes.map(m => m.requests), backgroundColor: '#93c5fd', yAxisID: 'y' },
    { label: 'mean latency (ms)', type: 'line', data: data.minutes.map(m => m.meanLatencyMs), borderColor: '#d97706', yAxisID: 'ms' } ] },
    options: { scales: { y: { position: 'left', beginAtZero: true }, ms: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false } } } } });
  const versions = [...new Set(data.minutes.flatMap(m => Object.keys(m.byVersion)))];
  chart('versions', { type: 'bar', data: { labels, datasets: versions.map((v, i) => ({ label: v, data: data.minutes.map(m => m.byVersion[v] ?? 0), backgroundColor: palette[i % palette.length] })) },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } } });
  document.body.dataset.ready = 'true';
}
refresh(); setInterval(refresh, 5000);
</script>
</body></html>`;
}
