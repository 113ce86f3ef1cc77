// NN Design Lab's canvas renderer: the entry point. Streamlit calls it with the element's ``data`` when the
// element appears, on every update and when the theme changes; the element's root keeps its view between
// calls, so an update repaints what the view already built.

const VIEWS = {curves: CurvesView, panels: PanelsView, film: FilmView, live: LiveView, neurons: NeuronsView};

export default function (component) {
  const {data, parentElement} = component;
  if (!data || !VIEWS[data.view]) return;
  let root = [...parentElement.children].find(node => node.classList && node.classList.contains('nnlab'));
  if (!root) {
    root = el('div', 'nnlab', parentElement);
    STATS.mounts++;
  }
  STATS.updates++;
  if (!root.view || root.view.kind !== data.view) {
    root.replaceChildren();
    root.view = new VIEWS[data.view](root);
    root.view.kind = data.view;
    root.dataset.view = data.view;
  }
  const view = root.view;
  view.ctx = component;
  view.theme = readTheme(root);
  view.update(data);
  root.dataset.updates = String(Number(root.dataset.updates || 0) + 1);
}
