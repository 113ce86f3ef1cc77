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
    // the film moves only the marker: the curves drawn before are copied back, then the marker on top
    this.marker = x;
    if (!this.base || this.base.width !== this.canvas.width || this.base.height !== this.canvas.height) {
      this.draw();
      return;
    }
    const g = this.canvas.getContext('2d');
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.drawImage(this.base, 0, 0);
    this.drawMarker(g);
  }

  drawMarker(g) {
    if (this.marker === null || this.marker === undefined || !this.px) return;
    const {height, top, bottom} = this.layout(), ratio = window.devicePixelRatio || 1;
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.strokeStyle = ACCENT; g.lineWidth = 2; g.setLineDash([]);
    g.beginPath(); g.moveTo(this.px(this.marker), top); g.lineTo(this.px(this.marker), height - bottom); g.stroke();
  }

  ty(v) {
    // a value as drawn: log10 on a log axis (nothing for values at or below 0)
    if (v === null || v === undefined || !Number.isFinite(v)) return null;
    return this.options.log ? (v > 0 ? Math.log10(v) : null) : v;
  }

  ranges() {
    const o = this.options;
    let xMax = o.xMax || 1, yMax = o.yMax, yMin = o.yMin !== undefined ? o.yMin : 0;
    if (o.log || yMax === undefined) {
      let low = Infinity, high = -Infinity;
      for (const s of this.series) {
        if (s.offscale) continue;
        for (const values of [s.y, s.band ? s.band.upper : []]) {
          for (const v of values) {
            const t = this.ty(v);
            if (t !== null) { low = Math.min(low, t); high = Math.max(high, t); }
          }
        }
      }
      if (o.log) {
        [yMin, yMax] = Number.isFinite(low) ? [low - 0.05, high + 0.1] : [-2, 0];
      } else {
        yMax = high > 0 ? high * 1.08 : 1;
      }
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
    const logTicks = this.options.log && r.y1 - r.y0 >= 1;  // a decade or more: labels at powers of ten
    const yTicks = logTicks ? niceTicks(Math.ceil(r.y0), Math.floor(r.y1), Math.min(6, Math.floor(r.y1) - Math.ceil(r.y0)) || 1)
                                .filter(Number.isInteger) : niceTicks(r.y0, r.y1, 4);
    for (const v of yTicks) {
      g.beginPath(); g.moveTo(left, py(v)); g.lineTo(width - right, py(v)); g.stroke();
      g.fillText(this.options.log ? tickText(Number(Math.pow(10, v).toPrecision(2))) : tickText(v), left - 4, py(v));
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
    for (const s of order) {  // the bands (+-1 std over seeds) first, under every curve
      if (!s.band || s.offscale || !s.x.length) continue;
      g.fillStyle = css(rgb(s.color), s.faded ? 0.04 : 0.15);
      g.beginPath();
      let started = false;
      for (let i = 0; i < s.x.length; i++) {
        const y = this.ty(s.band.upper[i]);
        if (y === null) continue;
        if (started) g.lineTo(px(s.x[i]), py(y)); else g.moveTo(px(s.x[i]), py(y));
        started = true;
      }
      for (let i = s.x.length - 1; i >= 0; i--) {
        const y = this.ty(s.band.lower[i]);
        if (y !== null) g.lineTo(px(s.x[i]), py(y));
      }
      g.fill();
    }
    const thin = Math.max(1, Math.floor(order.reduce((n, s) => Math.max(n, s.x.length), 0) / (width - left - right)));
    for (const s of order) {
      if (!s.x.length) continue;
      g.strokeStyle = s.color;
      g.globalAlpha = s.faded ? 0.2 : 1;
      g.lineWidth = s.width || 1.6;
      g.setLineDash(s.dash ? [5, 4] : []);
      g.beginPath();
      let open = false;
      for (let i = 0; i < s.x.length; i++) {
        if (thin > 1 && i % thin && i !== s.x.length - 1) continue;  // more points than pixels: every thin-th
        const y = this.ty(s.y[i]);
        if (y === null) { open = false; continue; }
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
    g.fillStyle = css(theme.muted);
    g.textAlign = 'left'; g.textBaseline = 'top';
    if (this.options.yLabel) g.fillText(this.options.yLabel, left + 4, top + 2);
    if (this.marker !== null && this.marker !== undefined) {  // keep the curves, to move the marker over them
      this.base = this.base || document.createElement('canvas');
      this.base.width = this.canvas.width; this.base.height = this.canvas.height;
      const b = this.base.getContext('2d');
      b.clearRect(0, 0, this.base.width, this.base.height);
      b.drawImage(this.canvas, 0, 0);
      this.drawMarker(g);
    }
  }

  nearest(event) {
    // the curve closest to the pointer, within 10 pixels
    if (!this.px) return null;
    const box = this.canvas.getBoundingClientRect();
    const mx = event.clientX - box.left, my = event.clientY - box.top;
    let best = null;
    for (const s of this.series) {
      for (let i = 0; i < s.x.length; i++) {
        const y = this.ty(s.y[i]);
        if (y === null) continue;
        const d = Math.hypot(this.px(s.x[i]) - mx, Math.min(this.layout().height, this.py(y)) - my);
        if (d < 10 && (!best || d < best.d)) best = {d, series: s, i};
      }
    }
    return best;
  }

  locate(key, split, index) {
    // where a point of a curve is on the screen (for tests): [x, y] in the page's coordinates
    const s = this.series.find(s => s.key === key && s.split === split);
    if (!s || !this.px) return null;
    const box = this.canvas.getBoundingClientRect(), i = index < 0 ? s.x.length + index : index;
    return [box.left + this.px(s.x[i]), box.top + this.py(this.ty(s.y[i]))];
  }

  hover(event) {
    const near = this.nearest(event);
    if (!near) { this.view.tooltip.hide(); return; }
    const s = near.series, y = s.y[near.i];
    this.view.tooltip.show(`${s.label}${s.mark || ''} (${s.split}) · epoch ${s.x[near.i]} · ` +
                           `${this.options.metric || 'loss'} ${Number(y).toPrecision(3)}` +
                           `${s.acc !== undefined && s.acc !== null ? ` · test ${percent(s.acc)}` : ''}` +
                           `${this.options.pickable ? ' · click to pick it' : ''}`, event);
  }
}
