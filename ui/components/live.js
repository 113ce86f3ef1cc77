// NN Design Lab's canvas renderer: the live view of a comparison in training. The server sends numbers, not
// figures: the first update everything (the runs, each dataset's plane and points, every curve so far, the
// grids), then only what is new (each run's new epochs, the grids that changed, the runs' states). The model
// they build is kept per feed across remounts (MODELS), so the picture never starts blank; an update that
// does not follow the one before (one was missed) asks the server to send everything again ('resync').

const MODELS = new Map();  // feed id -> model
const METRICS = {loss: ['train_loss', 'test_loss', 'loss'], accuracy: ['train_acc', 'test_acc', 'accuracy']};
const FADE_MS = 280;  // a panel's new grid fades in over this long, so a panel changes smoothly

function applyFeed(model, data) {
  // fold one update into the model; false (and the model marked out of step) if it does not follow the last
  const full = data.base === null || data.base === undefined;
  if (!full && model.seq !== data.base) return false;
  if (!full) {
    for (const [run, update] of Object.entries(data.curves || {})) {
      const series = model.series[run];
      if (update.from > (series ? series.train_loss.length : 0)) { model.seq = null; return false; }
    }
  } else {
    Object.assign(model, {runs: {}, planes: data.planes, datasets: data.datasets, series: {}, grids: {},
                          epochs: data.epochs, status: {}, acc: {}});
    for (const run of data.runs) model.runs[run.run] = run;
  }
  model.seq = data.seq;
  Object.assign(model.status, data.status);  // only the runs whose state changed
  Object.assign(model.acc, data.acc);
  model.panels = data.panels;
  for (const [run, update] of Object.entries(data.curves || {})) {
    const series = model.series[run] || (model.series[run] = {train_loss: [], test_loss: [], train_acc: [], test_acc: []});
    for (const name of Object.keys(series)) {
      const values = series[name];
      values.length = update.from;
      for (const v of update[name] || []) values.push(v);
    }
  }
  for (const [run, [epoch, grid]] of Object.entries(data.grids || {})) model.grids[run] = {epoch, grid, fresh: true};
  return true;
}

class LiveView extends View {
  constructor(root) {
    super(root);
    const bar = el('div', 'live-bar', root);
    this.metric = 'loss';
    this.buttons = ['loss', 'accuracy'].map(name => {
      const button = el('button', `metric${name === this.metric ? ' on' : ''}`, bar, name);
      button.addEventListener('click', () => { this.metric = name; this.buttons.forEach(b => b.classList.toggle('on', b === button)); this.render(); });
      return button;
    });
    this.caption = el('span', 'muted', bar);
    const body = el('div', 'live', root);
    this.curvesBox = el('div', 'live-curves', body);
    this.panelsBox = el('div', 'live-panels scroll', body);
    this.charts = new Map();  // dataset -> Chart
    this.sections = new Map();  // dataset -> {node, grid, panels: Map run -> Panel, colors}
    this.fading = new Set();
  }

  update(data) {
    let model = MODELS.get(data.feed);
    if (!model) { model = {seq: null}; MODELS.set(data.feed, model); }
    if (!applyFeed(model, data)) {
      if (this.resyncAsked !== data.seq) { this.resyncAsked = data.seq; this.ctx.setStateValue('resync', data.seq); }
      return;
    }
    while (MODELS.size > 4) MODELS.delete(MODELS.keys().next().value);  // old feeds of this tab
    this.model = model;
    this.root.dataset.seq = model.seq;
    this.render(this.themeChanged());
  }

  series(dataset) {
    const m = this.model, [train, test] = METRICS[this.metric];
    const out = [];
    for (const run of Object.values(m.runs)) {
      const s = m.series[run.run];
      if (run.dataset !== dataset || !s || !s[train].length) continue;
      const x = s[train].map((_, i) => i + 1);
      const end = m.status[run.run] === 'diverged' ? 'diverged' : null;
      const offscale = end !== null && this.metric === 'loss';
      out.push({key: run.key, label: run.label, color: run.color, split: 'train', x, y: s[train], end, offscale,
                acc: m.acc[run.run]},
               {key: run.key, label: run.label, color: run.color, split: 'test', dash: true, x, y: s[test], offscale,
                acc: m.acc[run.run]});
    }
    return out;
  }

  render(retheme = false) {
    // one chart per dataset that has begun (a dataset whose runs all wait shows nothing yet: no empty charts)
    const m = this.model;
    if (!m) return;
    const begun = m.datasets.filter(dataset => this.series(dataset).length);
    const many = begun.length > 1;
    this.curvesBox.classList.toggle('facets', many);
    for (const dataset of m.datasets) {
      let chart = this.charts.get(dataset);
      if (!begun.includes(dataset)) { if (chart) chart.box.style.display = 'none'; continue; }
      if (!chart) { chart = new Chart(this.curvesBox, this, {}); this.charts.set(dataset, chart); }
      chart.box.style.display = '';
      chart.canvas.style.height = `${many ? 170 : 300}px`;
      chart.set(this.series(dataset), {xMax: m.epochs, title: m.datasets.length > 1 ? dataset : '',
                                       metric: METRICS[this.metric][2], yLabel: METRICS[this.metric][2],
                                       yMax: this.metric === 'accuracy' ? 1.02 : undefined});
      this.renderPanels(dataset, retheme);
    }
    const training = Object.values(m.status).filter(s => s === 'running').length;
    const waiting = m.datasets.filter(dataset => !begun.includes(dataset));
    this.caption.textContent = `solid: training data, dashed: test data · ${training} learning now` +
      (waiting.length ? ` · not begun yet: ${waiting.join(', ')}` : '');
  }

  renderPanels(dataset, retheme) {
    const m = this.model, order = m.panels[dataset] || [];
    let s = this.sections.get(dataset);
    if (!s && order.length) {
      const plane = m.planes[dataset];
      s = {node: el('div', 'section', this.panelsBox), panels: new Map()};
      s.legend = sectionHead(s.node, {dataset, plane}, '', this.theme);
      s.grid = el('div', 'grid', s.node);
      this.sections.set(dataset, s);
    }
    if (!s) return;
    const plane = m.planes[dataset];
    if (retheme && s.colors) refreshLegend(s, plane, this.theme);
    if (retheme || !s.colors) s.colors = gridColors(plane, this.theme);
    alignTitles(s.grid, order.map(run => m.runs[run].title));
    order.forEach((run, index) => {
      const info = m.runs[run], status = m.status[run], grid = m.grids[run];
      let panel = s.panels.get(run);
      if (!panel) { panel = new Panel(s.grid, plane, this); s.panels.set(run, panel); }
      s.grid.appendChild(panel.card);
      panel.axes = index === 0;
      const note = status === 'running' ? `training · epoch ${grid ? grid.epoch : 0}` :
        status === 'diverged' ? '✕ diverged' : status === 'waiting' ? 'waiting' : `test ${percent(m.acc[run])}`;
      panel.setInfo({...info, status, acc: m.acc[run]}, note);
      if (grid && (grid.fresh || retheme)) {
        grid.fresh = false;
        const target = gridPixels(decodeGrid(grid.grid), plane.resolution, s.colors,
                                  new Uint8ClampedArray(plane.resolution ** 2 * 4));
        if (!panel.shown || retheme) {
          panel.paintPixels(target);
          panel.shown = target;
          if (retheme) panel.retheme(this.theme);
        }
        else this.fade(panel, target);
      }
    });
    for (const [run, panel] of s.panels) if (!order.includes(Number(run))) { panel.card.remove(); s.panels.delete(run); }
  }

  fade(panel, target) {
    // from what the panel shows now to its new grid, over FADE_MS (never a blank or a jump)
    panel.from = new Uint8ClampedArray(panel.pixels.data);
    panel.target = target;
    panel.fadeStart = performance.now();
    panel.blend = panel.blend || new Uint8ClampedArray(target.length);
    this.fading.add(panel);
    if (this.fadeLoop) return;
    const step = now => {
      for (const p of this.fading) {
        const w = Math.min(1, (now - p.fadeStart) / FADE_MS), a = p.from, b = p.target, out = p.blend;
        for (let i = 0; i < out.length; i++) out[i] = a[i] + (b[i] - a[i]) * w;
        p.paintPixels(out);
        if (w >= 1) { p.shown = b; this.fading.delete(p); }
      }
      this.fadeLoop = this.fading.size && this.root.isConnected ? requestAnimationFrame(step) : null;
    };
    this.fadeLoop = requestAnimationFrame(step);
  }
}
