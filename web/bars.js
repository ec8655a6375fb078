// The "use it" panel's answer: class probabilities as horizontal bars.

/**
 * Shows one prediction in `bars`: a bar per class with its probability, the most likely one highlighted; for
 * an output that is not a probability (a loaded model with a linear or tanh output) the raw values instead.
 * The values also go into data attributes (probabilities, top, updates), which the tests read.
 */
export function renderBars(bars, { probabilities, model, names, colors }) {
  if (!probabilities) {
    bars.replaceChildren();
    delete bars.dataset.probabilities;
    return;
  }
  const last = model.layers.filter((l) => l.kind === 'dense').at(-1);
  const values = Array.from(probabilities);
  bars.dataset.probabilities = JSON.stringify(values);
  bars.dataset.updates = String(Number(bars.dataset.updates ?? 0) + 1);
  if (last.activation !== 'softmax' && !(last.activation === 'sigmoid' && model.outputSize === 1)) {
    const raw = document.createElement('div');
    raw.className = 'raw';
    raw.textContent = `outputs (${last.activation}): ${values.map((v) => v.toPrecision(4)).join(', ')}`;
    return bars.replaceChildren(raw);
  }
  const top = values.indexOf(Math.max(...values));
  bars.dataset.top = names[top];
  const cells = values.flatMap((p, i) => {
    const name = el('div', `name${i === top ? ' top' : ''}`, names[i]);
    const bar = el('div', `bar${i === top ? ' top' : ''}`);
    const fill = el('div');
    fill.style.width = `${(p * 100).toFixed(1)}%`;
    if (colors) fill.style.background = colors[i];
    bar.append(fill);
    return [name, bar, el('div', 'pct', `${(p * 100).toFixed(1)}%`)];
  });
  bars.replaceChildren(...cells);
}

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}
