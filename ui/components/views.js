// NN Design Lab's canvas renderer, part 3 of 3: the views and the entry point. Streamlit calls the default
// export once when the element appears and again with the new ``data`` on every update and theme change;
// a view builds its DOM once and then only repaints (nothing is torn down and rebuilt, so nothing flickers).
// ``data.view`` names the view: "panels" (final boundaries), "film" (while learning), "live" (a comparison
// in training), "neurons" (inside one network). To add a view: a class with update(data) in VIEWS below.

class View {
  constructor(root) {
    this.root = root;
    this.tooltip = new Tooltip(root);
    this.themeKey = null;
  }
  get pickable() { return false; }
  pick(info) {
    if (this.pickable && info && info.key) this.ctx.setTriggerValue('pick', info.key);
  }
  hover(panel, event) {
    const info = panel.info;
    const state = info.status === 'diverged' ? ' · ✕ diverged' : info.status === 'running' ? ' · training' : '';
    this.tooltip.show(`${info.label}${info.acc !== null && info.acc !== undefined ? ` · test ${percent(info.acc)}` : ''}` +
                      `${state}${this.pickable ? ' · click to pick it' : ''}`, event);
  }
  themeChanged() {
    const changed = this.theme.key !== this.themeKey;
    this.themeKey = this.theme.key;
    return changed;
  }
}

function sectionHead(parent, section, extra, theme) {
  const head = el('div', 'section-head', parent);
  el('span', 'dataset', head, section.dataset);
  el('span', 'muted', head, ` · ${planeNote(section.plane)}${extra || ''}`);
  return classLegend(parent, section.plane, theme);
}

function leftOutNote(section) {
  return section.left_out ? ` · ${section.left_out} more not drawn` : '';
}

// ----- the final boundary panels -----
class PanelsView extends View {
  constructor(root) {
    super(root);
    this.body = el('div', 'sections scroll', root);
    this.sections = new Map();  // dataset -> {node, grid, panels: Map key -> Panel, colors}
  }
  get pickable() { return true; }

  update(data) {
    const retheme = this.themeChanged();
    const seen = new Set();
    // a few panels may ask to be drawn larger (the class board: the leader beside one entry)
    if (data.panel_min) this.root.style.setProperty('--panel-min', `${data.panel_min}px`);
    for (const section of data.sections) {
      seen.add(section.dataset);
      let s = this.sections.get(section.dataset);
      if (!s || s.planeText !== JSON.stringify(section.plane || null)) {
        if (s) s.node.remove();
        s = {node: el('div', 'section', this.body), panels: new Map(), planeText: JSON.stringify(section.plane || null)};
        if (section.empty) {
          el('div', 'muted', s.node, `${section.dataset}: no run finished with a network to draw.`);
        } else {
          s.legend = sectionHead(s.node, section, leftOutNote(section), this.theme);
          s.grid = el('div', 'grid', s.node);
        }
        this.sections.set(section.dataset, s);
      }
      this.body.appendChild(s.node);  // in the order given
      if (section.empty) continue;
      if (retheme && s.colors) refreshLegend(s, section.plane, this.theme);
      if (retheme || !s.colors) s.colors = gridColors(section.plane, this.theme);
      alignTitles(s.grid, section.panels.map(info => info.title));
      const keys = new Set();
      section.panels.forEach((info, index) => {
        keys.add(info.key);
        let panel = s.panels.get(info.key);
        if (!panel) { panel = new Panel(s.grid, section.plane, this); s.panels.set(info.key, panel); }
        s.grid.appendChild(panel.card);
        panel.axes = index === 0;
        panel.setInfo(info, `test ${percent(info.acc)}`);
        panel.setPicked((data.highlight || []).includes(info.key));
        if (retheme || panel.painted !== info.grid) {
          panel.paintBytes(decodeGrid(info.grid), s.colors);
          panel.painted = info.grid;
        }
        if (retheme) panel.retheme(this.theme);
      });
      for (const [key, panel] of s.panels) if (!keys.has(key)) { panel.card.remove(); s.panels.delete(key); }
    }
    for (const [dataset, s] of this.sections) if (!seen.has(dataset)) { s.node.remove(); this.sections.delete(dataset); }
  }
}

// ----- the film: every panel at one epoch, a slider and a play button, in the browser -----
const FILM_STOPS_PER_SECOND = 2.5;  // snapshots played per second; between them the grids are blended

class FilmView extends View {
  constructor(root) {
    super(root);
    const bar = el('div', 'film-bar', root);
    this.button = el('button', 'play', bar, '▶ play');
    this.slider = el('input', 'slider', bar);
    this.slider.type = 'range';
    this.slider.min = 0; this.slider.step = 0.01;
    this.label = el('span', 'epoch', bar);
    this.body = el('div', 'sections scroll', root);
    this.playing = false;
    this.button.addEventListener('click', () => this.toggle());
    this.slider.addEventListener('input', () => { this.stop(); this.show(Number(this.slider.value)); });
  }
  get pickable() { return !this.data || !this.data.large; }

  update(data) {
    const retheme = this.themeChanged();
    if (!this.data || this.data.id !== data.id) this.build(data);
    else this.data.highlight = data.highlight;
    if (retheme || !this.framesReady) this.prepare();
    for (const s of this.sections) for (const p of s.panels) p.panel.setPicked((data.highlight || []).includes(p.info.key));
    this.show(this.t);
  }

  build(data) {
    this.stop();
    this.data = data;
    this.root.classList.toggle('large', Boolean(data.large));
    this.body.replaceChildren();
    this.epochs = data.epochs;
    this.slider.max = Math.max(0, this.epochs.length - 1);
    this.t = this.epochs.length - 1;
    this.sections = data.sections.map(section => {
      const node = el('div', 'section', this.body);
      const legend = sectionHead(node, section, leftOutNote(section), this.theme);
      const body = el('div', 'section-body', node);
      const grid = el('div', 'grid', body);
      alignTitles(grid, section.panels.map(info => info.title));
      const chart = new Chart(body, this, {height: data.large ? 220 : 150, title: 'test loss', pickable: !data.large});
      const panels = section.panels.map((info, index) => {
        const panel = new Panel(grid, section.plane, this);
        panel.axes = index === 0;
        panel.setInfo(info, '');
        return {info, panel, epochs: info.frames.map(f => f[0]), bytes: info.frames.map(f => decodeGrid(f[1]))};
      });
      return {section, chart, panels, legend};
    });
    this.framesReady = false;
  }

  prepare() {
    // every frame's pixels for the current theme, once: playing only blends two of them per panel
    for (const s of this.sections) {
      refreshLegend(s, s.section.plane, this.theme);
      const colors = gridColors(s.section.plane, this.theme);
      const size = s.section.plane.resolution ** 2 * 4;
      for (const p of s.panels) {
        p.pixels = p.bytes.map(bytes => gridPixels(bytes, s.section.plane.resolution, colors, new Uint8ClampedArray(size)));
        p.blend = new Uint8ClampedArray(size);
        p.panel.retheme(this.theme);
      }
      s.chart.set(s.panels.map(p => ({key: p.info.key, label: p.info.label, color: p.info.color, split: 'test',
                                      x: p.info.curve.epoch, y: p.info.curve.test_loss, acc: p.info.acc,
                                      faded: false})),
                  {xMax: this.epochs[this.epochs.length - 1] || 1, metric: 'test loss'});
    }
    this.framesReady = true;
  }

  epochAt(t) {
    const i = Math.max(0, Math.min(this.epochs.length - 1, Math.floor(t)));
    const j = Math.min(this.epochs.length - 1, i + 1);
    return this.epochs[i] + (this.epochs[j] - this.epochs[i]) * (t - i);
  }

  show(t) {
    // every panel and the curves' marker at slider position t (between two snapshots: blended)
    this.t = t;
    const epoch = this.epochAt(t);
    for (const s of this.sections) {
      for (const p of s.panels) {
        const e = p.epochs;
        let k = 0;
        while (k + 1 < e.length && e[k + 1] <= epoch) k++;
        if (k + 1 >= e.length || epoch <= e[k]) { p.panel.paintPixels(p.pixels[k]); continue; }
        const w = (epoch - e[k]) / (e[k + 1] - e[k]), a = p.pixels[k], b = p.pixels[k + 1], out = p.blend;
        for (let i = 0; i < out.length; i++) out[i] = a[i] + (b[i] - a[i]) * w;
        p.panel.paintPixels(out);
      }
      s.chart.setMarker(Math.max(epoch, 1));
    }
    this.slider.value = t;
    this.label.textContent = `epoch ${Math.round(epoch)}`;
    this.root.dataset.epoch = Math.round(epoch);
  }

  toggle() {
    if (this.playing) { this.stop(); return; }
    if (this.t >= this.epochs.length - 1) this.t = 0;
    this.playing = true;
    this.button.textContent = '❚❚ pause';
    let last = performance.now();
    const step = now => {
      if (!this.playing || !this.root.isConnected) { this.stop(); return; }
      this.show(Math.min(this.epochs.length - 1, this.t + (now - last) / 1000 * FILM_STOPS_PER_SECOND));
      last = now;
      STATS.frames = (STATS.frames || 0) + 1;
      if (this.t >= this.epochs.length - 1) { this.stop(); return; }
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  }

  stop() {
    this.playing = false;
    if (this.button) this.button.textContent = '▶ play';
  }
}
