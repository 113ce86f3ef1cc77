// NN Design Lab's canvas renderer, part 2 of 3: learning curves on a canvas (Playground's linechart.ts draws
// one SVG path per curve and rewrites it; here every curve is a polyline redrawn in one pass). One Chart is
// one set of axes: the views make one per dataset.

function niceTicks(low, high, count) {
  // about ``count`` round numbers from low to high
  const span = high - low || 1;
  const step0 = span / Math.max(1, count);
  const power = Math.pow(10, Math.floor(Math.log10(step0)));
  const step = [1, 2, 2.5, 5, 10].map(f => f * power).find(s => s >= step0) || 10 * power;
  const ticks = [];
  for (let v = Math.ceil(low / step) * step; v <= high + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function tickText(v) {
  return Math.abs(v) >= 1000 ? `${v / 1000}k` : String(Number(v.toPrecision(3)));
}

class Chart {
  constructor(parent, view, options = {}) {
    this.view = view;
    this.options = options;
    this.box = el('div', 'chart', parent);
    this.title = el('div', 'chart-title', this.box, options.title || '');
    this.canvas = el('canvas', 'curves', this.box);
    this.canvas.style.height = `${options.height || 220}px`;
    this.series = [];
    this.marker = null;
    this.resizer = observeSize(this.box, () => this.draw());
    this.canvas.addEventListener('mousemove', event => this.hover(event));
    this.canvas.addEventListener('mouseleave', () => view.tooltip.hide());
    this.canvas.addEventListener('click', event => {
      const near = this.nearest(event);
      if (near && options.pickable) view.pick(near.series);
    });
  }

  set(series, options) {
    this.series = series;
    Object.assign(this.options, options);
    if (options.title !== undefined && this.title.textContent !== options.title) this.title.textContent = options.title;
    this.draw();
  }

  setMarker(x) {
    this.marker = x;
    this.draw();
  }

  ranges() {
    const o = this.options;
    let xMax = o.xMax || 1, yMax = o.yMax, yMin = o.yMin !== undefined ? o.yMin : 0;
    if (yMax === undefined) {
      yMax = 0;
      for (const s of this.series) {
        if (s.offscale) continue;
        for (const v of s.y) if (v !== null && Number.isFinite(v) && v > yMax) yMax = v;
      }
      yMax = yMax > 0 ? yMax * 1.08 : 1;
    }
    if (!o.xMax) for (const s of this.series) if (s.x.length) xMax = Math.max(xMax, s.x[s.x.length - 1]);
    return {x0: 0, x1: xMax, y0: yMin, y1: yMax};
  }

  layout() {
    const width = this.canvas.clientWidth, height = this.canvas.clientHeight;
    return {width, height, left: 42, right: 10, top: 8, bottom: 24};
  }

  draw() {
    const theme = this.view.theme;
    const {width, height, left, right, top, bottom} = this.layout();
    if (!width || !height || !theme) return;
    const ratio = window.devicePixelRatio || 1;
    if (this.canvas.width !== Math.round(width * ratio)) this.canvas.width = Math.round(width * ratio);
    if (this.canvas.height !== Math.round(height * ratio)) this.canvas.height = Math.round(height * ratio);
    const g = this.canvas.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.fillStyle = css(theme.background);
    g.fillRect(0, 0, width, height);
    const r = this.ranges();
    this.scale = r;
    const px = x => left + (x - r.x0) / (r.x1 - r.x0 || 1) * (width - left - right);
    const py = y => top + (1 - (y - r.y0) / (r.y1 - r.y0 || 1)) * (height - top - bottom);
    this.px = px; this.py = py;
    g.font = `10px ${theme.font}`;
    g.lineWidth = 1;
    g.strokeStyle = css(theme.grid);
    g.fillStyle = css(theme.muted);
    g.textAlign = 'right'; g.textBaseline = 'middle';
    for (const v of niceTicks(r.y0, r.y1, 4)) {
      g.beginPath(); g.moveTo(left, py(v)); g.lineTo(width - right, py(v)); g.stroke();
      g.fillText(tickText(v), left - 4, py(v));
    }
    g.textAlign = 'center'; g.textBaseline = 'top';
    for (const v of niceTicks(r.x0, r.x1, Math.max(2, Math.floor((width - left) / 70)))) {
      g.fillText(tickText(v), px(v), height - bottom + 4);
    }
    g.textAlign = 'right';
    g.fillText(this.options.xLabel || 'epoch', width - right, height - bottom + 4 + 10 > height ? height - 12 : height - 12);
    g.save();
    g.beginPath(); g.rect(left, top, width - left - right, height - top - bottom); g.clip();
    const order = [...this.series].sort((a, b) => (a.faded ? 0 : 1) - (b.faded ? 0 : 1));  // picked on top
    for (const s of order) {
      if (!s.x.length) continue;
      g.strokeStyle = s.color;
      g.globalAlpha = s.faded ? 0.2 : 1;
      g.lineWidth = s.width || 1.6;
      g.setLineDash(s.dash ? [5, 4] : []);
      g.beginPath();
      let open = false;
      for (let i = 0; i < s.x.length; i++) {
        const y = s.y[i];
        if (y === null || !Number.isFinite(y)) { open = false; continue; }
        const X = px(s.x[i]), Y = Math.max(top - 4, Math.min(height, py(y)));
        if (open) g.lineTo(X, Y); else g.moveTo(X, Y);
        open = true;
      }
      g.stroke();
      if (s.end === 'diverged' && s.x.length) {  // a diverged run ends in a cross where it stopped
        const X = px(s.x[s.x.length - 1]), Y = top + 6;
        g.setLineDash([]); g.lineWidth = 2;
        g.beginPath(); g.moveTo(X - 4, Y - 4); g.lineTo(X + 4, Y + 4); g.moveTo(X + 4, Y - 4); g.lineTo(X - 4, Y + 4);
        g.stroke();
      }
    }
    g.restore();
    g.globalAlpha = 1;
    g.setLineDash([]);
    if (this.marker !== null && this.marker !== undefined) {
      g.strokeStyle = ACCENT; g.lineWidth = 2;
      g.beginPath(); g.moveTo(px(this.marker), top); g.lineTo(px(this.marker), height - bottom); g.stroke();
    }
    g.fillStyle = css(theme.muted);
    g.textAlign = 'left'; g.textBaseline = 'top';
    if (this.options.yLabel) g.fillText(this.options.yLabel, left + 4, top + 2);
  }

  nearest(event) {
    // the curve closest to the pointer, within 10 pixels
    if (!this.px) return null;
    const box = this.canvas.getBoundingClientRect();
    const mx = event.clientX - box.left, my = event.clientY - box.top;
    let best = null;
    for (const s of this.series) {
      for (let i = 0; i < s.x.length; i++) {
        const y = s.y[i];
        if (y === null || !Number.isFinite(y)) continue;
        const d = Math.hypot(this.px(s.x[i]) - mx, this.py(y) - my);
        if (d < 10 && (!best || d < best.d)) best = {d, series: s, i};
      }
    }
    return best;
  }

  hover(event) {
    const near = this.nearest(event);
    if (!near) { this.view.tooltip.hide(); return; }
    const s = near.series, y = s.y[near.i];
    this.view.tooltip.show(`${s.label} (${s.split}) · epoch ${s.x[near.i]} · ${this.options.metric || 'loss'} ` +
                           `${Number(y).toPrecision(3)}${s.acc !== undefined ? ` · test ${percent(s.acc)}` : ''}`, event);
  }
}
