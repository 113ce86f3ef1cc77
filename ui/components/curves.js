// NN Design Lab's canvas renderer: the learning curves of a finished comparison (experiments/figures/series.py).
// One chart per facet (dataset, or a setting's level), train solid and test dashed, the mean over seeds with a
// +-1 std band. Loss or accuracy, the log scale and the smoothing are chosen here, in the browser: hundreds of
// curves redraw in milliseconds and no request goes to the server. Hover names a curve; a click picks it.

const CURVE_OPTIONS = {metric: 'loss', log: false, smoothing: 0};  // kept across reruns and remounts

function decodeFloats(text) {
  // float32 values sent as base64 (experiments/figures/series.py); NaN where there is none
  const bytes = decodeGrid(text);
  return Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2));
}

function seriesEpochs(n, stride) {
  // the epochs of a thinned curve: 1, 1 + stride, ... and the last
  const epochs = [];
  for (let e = 1; e <= n; e += stride) epochs.push(e);
  if (epochs[epochs.length - 1] !== n) epochs.push(n);
  return epochs;
}

function smoothed(values, weight) {
  // TensorBoard's exponential moving average with debiasing (experiments/figures/common.smooth); a point
  // every ``stride`` epochs takes the weight of that many epochs
  if (!weight) return values;
  const out = new Array(values.length);
  let last = 0, debias = 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || !Number.isFinite(v)) { out[i] = null; continue; }
    last = weight * last + (1 - weight) * v;
    debias *= weight;
    out[i] = last / (1 - debias);
  }
  return out;
}

class CurvesView extends View {
  constructor(root) {
    super(root);
    const bar = el('div', 'live-bar', root);
    this.buttons = ['loss', 'accuracy'].map(name => {
      const button = el('button', 'metric', bar, name);
      button.addEventListener('click', () => { CURVE_OPTIONS.metric = name; this.render(); });
      return button;
    });
    const log = el('label', 'option', bar);
    this.log = el('input', '', log);
    this.log.type = 'checkbox';
    el('span', '', log, 'log scale');
    this.log.addEventListener('change', () => { CURVE_OPTIONS.log = this.log.checked; this.render(); });
    const smooth = el('label', 'option', bar);
    el('span', '', smooth, 'smoothing');
    this.smoothing = el('input', 'smoothing', smooth);
    Object.assign(this.smoothing, {type: 'range', min: 0, max: 0.95, step: 0.05});
    this.smoothingValue = el('span', 'muted', smooth);
    this.smoothing.addEventListener('input', () => { CURVE_OPTIONS.smoothing = Number(this.smoothing.value); this.render(); });
    this.body = el('div', 'curve-facets', root);
    this.legend = el('div', 'legend curves-legend', root);
    this.charts = [];
  }
  get pickable() { return true; }

  update(data) {
    if (!this.data || this.data.id !== data.id) {  // new numbers: decoded once, then only redrawn
      for (const s of data.series) {
        s.x = seriesEpochs(s.epochs, s.stride);
        for (const metric of ['train_loss', 'test_loss', 'train_acc', 'test_acc']) {
          const values = s[metric];
          s[metric] = {mean: decodeFloats(values.mean), std: values.std ? decodeFloats(values.std) : null};
        }
      }
    } else {
      data.series = this.data.series;  // the same numbers, maybe another highlight
    }
    const facets = JSON.stringify(data.facets);
    if (facets !== this.facets) {
      this.facets = facets;
      this.body.replaceChildren();
      this.body.classList.toggle('several', data.facets.length > 1);
      this.charts = data.facets.map(title => new Chart(this.body, this, {height: data.facets.length > 1 ? 230 : 300,
                                                                          pickable: true, title}));
    }
    this.data = data;
    this.render();
  }

  series(facet) {
    const {metric, log, smoothing} = CURVE_OPTIONS, highlight = this.data.highlight || [];
    const out = [];
    for (const s of this.data.series) {
      if (s.facet !== facet) continue;
      const picked = highlight.includes(s.key), faded = highlight.length > 0 && !picked;
      const weight = smoothing ? Math.pow(smoothing, s.stride) : 0;
      for (const split of ['train', 'test']) {
        const values = s[`${split}_${metric === 'loss' ? 'loss' : 'acc'}`];
        const y = smoothed(values.mean, weight);
        let band = null;
        if (values.std) {
          const std = smoothed(values.std, weight);
          const upper = y.map((m, i) => m === null || std[i] === null || std[i] === undefined ? null : m + std[i]);
          // on a log axis the lower edge mirrors the upper one, so it never dives below the axis
          const lower = y.map((m, i) => m === null || upper[i] === null ? null
                                        : log && metric === 'loss' ? m * m / upper[i] : m - std[i]);
          band = {upper, lower};
        }
        out.push({key: s.key, label: s.label, color: s.color, split, dash: split === 'test', x: s.x, y, band,
                  faded, width: picked ? 3 : s.offscale ? 1.4 : 1.8, mark: s.mark ? ` (${s.mark})` : '',
                  offscale: s.offscale && metric === 'loss', end: s.mark === 'diverged' ? 'diverged' : null});
      }
    }
    return out;
  }

  render() {
    if (!this.data) return;
    const {metric, log, smoothing} = CURVE_OPTIONS;
    this.buttons.forEach(button => button.classList.toggle('on', button.textContent === metric));
    this.log.checked = log;
    this.log.disabled = metric !== 'loss';
    this.smoothing.value = smoothing;
    this.smoothingValue.textContent = smoothing.toFixed(2);
    const useLog = log && metric === 'loss';
    this.charts.forEach((chart, facet) => chart.set(this.series(facet), {
      xMax: this.data.epochs, log: useLog, yMax: metric === 'accuracy' ? 1.02 : undefined,
      metric, yLabel: metric === 'loss' ? 'loss (cross-entropy)' : 'accuracy'}));
    this.root.dataset.metric = metric;
    this.root.dataset.log = String(useLog);
    this.legend.replaceChildren();
    for (const item of this.data.legend) {
      const entry = el('span', 'item', this.legend);
      el('span', 'line', entry).style.background = item.color;
      el('span', '', entry, item.name);
    }
    const key = el('span', 'item muted', this.legend);
    el('span', '', key, '— training · - - test' + (this.data.series.some(s => s.seeds > 1) ? ' · band: ±1 std over seeds' : ''));
  }
}
