// NN Design Lab's canvas renderer, part 1 of 3: what every view shares. The theme (Streamlit's --st-* CSS
// variables), colours, grids decoded from base64, one boundary panel (a canvas at the grid's resolution,
// scaled up by CSS, and an overlay for the data points), and the tooltip. ui/components/__init__.py joins
// core.js, chart.js and views.js into the one module Streamlit loads.

const ACCENT = '#e8590c';  // the frame of a configuration picked in the table, as in the Plotly charts
const STATS = (window.__nnlab = window.__nnlab || {mounts: 0, updates: 0, paints: 0});  // read by benchmarks

// ----- colours and the theme -----
const COLOR_PARSER = document.createElement('canvas').getContext('2d');

function rgb(color) {
  // [r, g, b] of any CSS colour (the canvas normalises it to #rrggbb or rgba(...))
  COLOR_PARSER.fillStyle = '#000';
  COLOR_PARSER.fillStyle = color;
  const value = COLOR_PARSER.fillStyle;
  if (value[0] === '#') return [1, 3, 5].map(i => parseInt(value.slice(i, i + 2), 16));
  return value.replace(/[^\d.,]/g, '').split(',').slice(0, 3).map(Number);
}

function mix(a, b, t) {
  // the colour t of the way from a to b, each [r, g, b]
  return [0, 1, 2].map(i => Math.round(a[i] + (b[i] - a[i]) * t));
}

function css([r, g, b], alpha = 1) {
  return alpha >= 1 ? `rgb(${r},${g},${b})` : `rgba(${r},${g},${b},${alpha})`;
}

function readTheme(node) {
  // the visitor's theme, from the CSS variables Streamlit sets around every component
  const style = getComputedStyle(node);
  const read = (name, fallback) => (style.getPropertyValue(name) || '').trim() || fallback;
  const background = rgb(read('--st-background-color', '#ffffff'));
  const text = rgb(read('--st-text-color', '#31333f'));
  const dark = 0.299 * background[0] + 0.587 * background[1] + 0.114 * background[2] < 128;
  return {
    background, text, dark,
    muted: mix(text, background, 0.45),
    grid: mix(text, background, 0.88),
    font: read('--st-font', 'sans-serif'),
    key: `${background}|${text}`,
  };
}

function classColors(plane, theme) {
  // the classes' colours as [r, g, b]; lighter on a dark background, so points and regions stay visible
  return plane.class_colors.map(color => theme && theme.dark ? mix(rgb(color), [255, 255, 255], 0.35) : rgb(color));
}

// ----- grids -----
function decodeGrid(text) {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

function gridColors(plane, theme) {
  // what paints a grid's bytes (experiments/grids.py): a 256-entry table for two classes (P(class 1)), or
  // per class a table over the confidence for more; both fade into the theme's background where unsure
  const classes = classColors(plane, theme);
  const table = new Uint8ClampedArray(256 * 4 * Math.max(1, classes.length));
  const strength = theme.dark ? 0.62 : 0.6;
  if (classes.length === 2) {
    for (let v = 0; v < 256; v++) {
      const p = v / 255;
      const c = p < 0.5 ? mix(theme.background, classes[0], (1 - 2 * p) * strength)
                        : mix(theme.background, classes[1], (2 * p - 1) * strength);
      table.set([c[0], c[1], c[2], 255], v * 4);
    }
  } else {
    const guess = 1 / classes.length;
    classes.forEach((color, k) => {
      for (let v = 0; v < 256; v++) {
        const sure = Math.max(0, Math.min(1, (v / 255 - guess) / (1 - guess)));
        const c = mix(theme.background, color, 0.12 + sure * (strength - 0.12));
        table.set([c[0], c[1], c[2], 255], (k * 256 + v) * 4);
      }
    });
  }
  return {table, binary: classes.length === 2};
}

function gridPixels(bytes, resolution, colors, out) {
  // the RGBA pixels of one grid into ``out`` (a Uint8ClampedArray of resolution^2 * 4)
  const n = resolution * resolution, table = colors.table;
  if (colors.binary) {
    for (let i = 0; i < n; i++) {
      const j = bytes[i] * 4, o = i * 4;
      out[o] = table[j]; out[o + 1] = table[j + 1]; out[o + 2] = table[j + 2]; out[o + 3] = 255;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const j = (bytes[i] * 256 + bytes[n + i]) * 4, o = i * 4;
      out[o] = table[j]; out[o + 1] = table[j + 1]; out[o + 2] = table[j + 2]; out[o + 3] = 255;
    }
  }
  return out;
}

// ----- small DOM helpers -----
function el(tag, className, parent, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

function percent(acc) {
  return acc === null || acc === undefined ? '' : `${(100 * acc).toFixed(1)}%`;
}

function observeSize(node, callback) {
  // call back when the node's width changes (a window resized, the sidebar opened)
  let width = -1;
  const observer = new ResizeObserver(() => {
    if (node.clientWidth !== width) { width = node.clientWidth; callback(); }
  });
  observer.observe(node);
  return observer;
}

class Tooltip {
  constructor(root) { this.node = el('div', 'tip', root); this.root = root; }
  show(text, event) {
    this.node.textContent = text;
    this.node.style.display = 'block';
    const box = this.root.getBoundingClientRect();
    const x = event.clientX - box.left + 12, y = event.clientY - box.top + 12;
    this.node.style.left = `${Math.min(x, box.width - this.node.offsetWidth - 4)}px`;
    this.node.style.top = `${y}px`;
  }
  hide() { this.node.style.display = 'none'; }
}

// ----- one boundary panel -----
class Panel {
  // a card: the title (the configuration, one line per part, and its accuracy or state) over the picture
  // (the grid's canvas, scaled up, and an overlay with the training points solid and test points hollow)
  constructor(parent, plane, view) {
    this.plane = plane;
    this.view = view;
    this.card = el('div', 'panel', parent);
    this.head = el('div', 'head', this.card);
    this.chip = el('span', 'chip', this.head);
    this.name = el('span', 'name', this.head);
    this.note = el('div', 'note', this.card);
    this.wrap = el('div', 'picture', this.card);
    const [x0, x1] = plane.x, [y0, y1] = plane.y;
    this.wrap.style.aspectRatio = `${1} / ${Math.max(0.5, Math.min(1.5, (y1 - y0) / (x1 - x0)))}`;
    this.image = el('canvas', 'image', this.wrap);
    this.image.width = this.image.height = plane.resolution;
    this.context = this.image.getContext('2d');
    this.pixels = this.context.createImageData(plane.resolution, plane.resolution);
    this.overlay = el('canvas', 'overlay', this.wrap);
    this.painted = null;
    this.resizer = observeSize(this.wrap, () => this.drawPoints());  // also its first drawing, once laid out
    this.theme = view.theme;
    this.card.addEventListener('mousemove', event => view.hover(this, event));
    this.card.addEventListener('mouseleave', () => view.tooltip.hide());
    this.card.addEventListener('click', () => view.pick(this.info));
  }

  setInfo(info, note) {
    this.info = info;
    this.card.dataset.key = info.key;
    this.chip.style.background = info.color;
    const lines = info.title.join('\n');
    if (this.name.textContent !== lines) this.name.textContent = lines;
    if (this.note.textContent !== note) this.note.textContent = note;
    this.card.classList.toggle('diverged', info.status === 'diverged');
  }

  setPicked(picked) { this.card.classList.toggle('picked', picked); }

  retheme(theme) {
    // a new theme: the points again if they were drawn (a new panel draws them once laid out: reading its
    // size before would make the browser lay the page out again for every panel)
    this.theme = theme;
    if (this.drawn) this.drawPoints(theme);
  }

  paintBytes(bytes, colors) {
    gridPixels(bytes, this.plane.resolution, colors, this.pixels.data);
    this.context.putImageData(this.pixels, 0, 0);
    STATS.paints++;
  }

  paintPixels(pixels) {
    this.pixels.data.set(pixels);
    this.context.putImageData(this.pixels, 0, 0);
    STATS.paints++;
  }

  drawPoints(theme) {
    // the data over the picture, at the screen's resolution: small, so the colour beneath shows
    this.theme = theme || this.theme;
    if (!this.theme) return;
    const ratio = window.devicePixelRatio || 1;
    const width = this.wrap.clientWidth, height = this.wrap.clientHeight;
    if (!width || !height) return;
    this.drawn = true;
    this.overlay.width = Math.round(width * ratio);
    this.overlay.height = Math.round(height * ratio);
    const g = this.overlay.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    const [x0, x1] = this.plane.x, [y0, y1] = this.plane.y;
    const sx = width / (x1 - x0), sy = height / (y1 - y0);
    const colors = classColors(this.plane, this.theme);
    const radius = width < 140 ? 1.6 : 2.2;
    for (const [split, hollow] of [['train', false], ['test', true]]) {
      const points = this.plane[split];
      for (let i = 0; i < points.x.length; i++) {
        const x = (points.x[i] - x0) * sx, y = height - (points.y[i] - y0) * sy;
        const color = colors[points.c[i] % colors.length];
        g.beginPath();
        g.arc(x, y, hollow ? radius + 0.6 : radius, 0, 2 * Math.PI);
        if (hollow) {
          g.lineWidth = 1.2;
          g.strokeStyle = css(color);
          g.stroke();
        } else {
          g.fillStyle = css(color);
          g.fill();
          g.lineWidth = 0.7;
          g.strokeStyle = css(mix(color, this.theme.text, 0.45), 0.9);
          g.stroke();
        }
      }
    }
    if (this.axes) this.drawAxes(g, width, height);
  }

  drawAxes(g, width, height) {
    // the plane's extent at the corners of the first panel of a section, each on a patch of the page's
    // background so that a data point beneath does not garble it
    const t = this.theme, [x0, x1] = this.plane.x, [y1] = [this.plane.y[1]];
    g.font = `10px ${t.font}`;
    g.textBaseline = 'top';
    g.textAlign = 'left';
    const label = (text, x, y) => {
      const w = g.measureText(text).width;
      const left = x < width / 2 ? x : x - w;
      g.fillStyle = css(t.background, 0.7);
      g.fillRect(left - 1, y, w + 2, 11);
      g.fillStyle = css(t.text, 0.85);
      g.fillText(text, left, y + 1);
    };
    label(x0.toFixed(1), 1, height - 12);
    label(`${x1.toFixed(1)} ${this.plane.axes[0]}`, width - 1, height - 12);
    label(`${y1.toFixed(1)} ${this.plane.axes[1]}`, 1, 1);
  }
}

function classLegend(parent, plane, theme) {
  // the classes' colours, named, and what the dots and rings are
  const legend = el('div', 'legend', parent);
  const colors = classColors(plane, theme);
  plane.classes.forEach((name, k) => {
    const item = el('span', 'item', legend);
    el('span', 'dot', item).style.background = css(colors[k]);
    el('span', '', item, name);
  });
  const points = el('span', 'item muted', legend);
  el('span', '', points, '● training · ○ test');
  return legend;
}

function refreshLegend(holder, plane, theme) {
  // the legend again in the theme's colours (after a theme change)
  if (!holder.legend) return;
  const fresh = classLegend(null, plane, theme);
  holder.legend.replaceWith(fresh);
  holder.legend = fresh;
}

function alignTitles(grid, titles) {
  // every panel of a grid keeps room for the longest title, so the pictures of a row line up
  grid.style.setProperty('--title-lines', Math.max(1, ...titles.map(title => title.length)));
}

function planeNote(plane) {
  return plane.features === 2 ? `${plane.axes[0]} across, ${plane.axes[1]} up`
    : `${plane.axes[0]} across, ${plane.axes[1]} up: the first two principal components of ${plane.features} features`;
}
