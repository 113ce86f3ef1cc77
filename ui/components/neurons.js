// NN Design Lab's canvas renderer: inside one network on 2-D data, Playground-style. A column per layer:
// every unit's output over the input plane as a small canvas (brown where negative, teal where positive,
// the theme's background at zero), the weights between shown units as lines (thickness: |w|, colour: its
// sign), and the network's answer at the end as a boundary panel with the data.

function signedColors(plane, theme) {
  // a unit's output, quantised to a byte around 127.5 = 0 (experiments/figures/neurons.py)
  const [negative, positive] = classColors(plane, theme).slice(0, 2);
  const table = new Uint8ClampedArray(256 * 4);
  for (let v = 0; v < 256; v++) {
    const t = (v - 127.5) / 127.5;
    const c = t < 0 ? mix(theme.background, negative, -t * 0.85) : mix(theme.background, positive, t * 0.85);
    table.set([c[0], c[1], c[2], 255], v * 4);
  }
  return {table, binary: true};
}

class NeuronsView extends View {
  constructor(root) {
    super(root);
    this.head = el('div', 'section-head', root);
    this.legend = el('div', 'legend-box', root);
    this.net = el('div', 'network scroll-x', root);
    this.wires = el('canvas', 'wires', this.net);
    this.columns = el('div', 'layers', this.net);
    this.resizer = observeSize(this.net, () => this.drawWires());
  }

  update(data) {
    const retheme = this.themeChanged();
    if (!this.data || this.data.id !== data.id) this.build(data);
    else if (!retheme) return;
    this.legend.replaceChildren(classLegend(null, data.plane, this.theme));
    this.paint();
  }

  build(data) {
    this.data = data;
    this.head.replaceChildren();
    el('span', 'dataset', this.head, data.title);
    el('span', 'muted', this.head, ` · ${planeNote(data.plane)}`);
    this.columns.replaceChildren();
    this.units = [];
    data.layers.forEach((layer, index) => {
      const column = el('div', 'layer', this.columns);
      el('div', 'layer-name', column, layer.name);
      const stack = el('div', 'units', column);
      const last = index === data.layers.length - 1;
      const size = last ? 0 : layer.units.length > 12 ? 30 : layer.units.length > 6 ? 38 : 48;
      const units = layer.units.map(unit => {
        if (last) {
          const panel = new Panel(stack, data.plane, this);
          panel.card.classList.add('output');
          panel.setInfo({key: '', label: 'the network\u2019s answer', title: [], color: 'transparent', acc: data.acc}, '');
          return {unit, panel, node: panel.wrap};
        }
        const node = el('canvas', 'unit', stack);
        node.width = node.height = data.resolution;
        node.style.width = node.style.height = `${size}px`;
        node.addEventListener('mousemove', event => this.tooltip.show(
          `${layer.name}, ${unit.label}: from ${unit.low.toPrecision(3)} (brown) to ${unit.high.toPrecision(3)} (teal)`, event));
        node.addEventListener('mouseleave', () => this.tooltip.hide());
        return {unit, node};
      });
      if (layer.total > layer.units.length) el('div', 'muted small', column, `${layer.units.length} of ${layer.total} units: the most connected`);
      this.units.push(units);
    });
  }

  hover(panel, event) {
    this.tooltip.show(`the network\u2019s answer${panel.info.acc !== undefined ? ` · test ${percent(panel.info.acc)}` : ''}`, event);
  }

  paint() {
    const data = this.data, signed = signedColors(data.plane, this.theme);
    const output = gridColors(data.plane, this.theme);
    this.units.forEach((units, index) => units.forEach(({unit, node, panel}) => {
      const bytes = decodeGrid(unit.grid);
      if (panel) { panel.paintBytes(bytes, output); panel.retheme(this.theme); return; }
      const g = node.getContext('2d'), image = g.createImageData(data.resolution, data.resolution);
      gridPixels(bytes, data.resolution, signed, image.data);
      g.putImageData(image, 0, 0);
    }));
    this.drawWires();
  }

  drawWires() {
    // the weights between the units shown, behind them: thicker for larger |w|, teal positive, brown negative
    if (!this.data || !this.theme) return;
    const box = this.net.getBoundingClientRect(), ratio = window.devicePixelRatio || 1;
    const width = this.columns.scrollWidth, height = this.columns.scrollHeight;
    this.wires.width = Math.round(width * ratio); this.wires.height = Math.round(height * ratio);
    this.wires.style.width = `${width}px`; this.wires.style.height = `${height}px`;
    const g = this.wires.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    const [negative, positive] = classColors(this.data.plane, this.theme).slice(0, 2);
    const at = (node, side) => {
      const r = node.getBoundingClientRect();
      return [r.left - box.left + this.net.scrollLeft + (side ? r.width : 0), r.top - box.top + r.height / 2];
    };
    this.data.weights.forEach((matrix, layer) => {
      const from = this.units[layer], to = this.units[layer + 1];
      if (!from || !to) return;
      matrix.w.forEach((row, i) => row.forEach((w, j) => {
        if (!from[i] || !to[j]) return;
        const strength = Math.min(1, Math.abs(w) / (this.data.wmax || 1));
        if (strength < 0.03) return;
        const [x0, y0] = at(from[i].node, true), [x1, y1] = at(to[j].node, false);
        g.strokeStyle = css(w < 0 ? negative : positive, 0.25 + 0.6 * strength);
        g.lineWidth = 0.4 + 3.2 * strength;
        g.beginPath(); g.moveTo(x0, y0); g.bezierCurveTo((x0 + x1) / 2, y0, (x0 + x1) / 2, y1, x1, y1); g.stroke();
      }));
    });
  }
}
