// The test images of an image sample (digits, Fashion-MNIST) as a grid of thumbnails to click, each framed green or red once a model has
// classified it right or wrong.
import { thumbnail } from './draw-pad.js';

/** Fills `container` with the first `count` test images of the sample (once per sample); onPick(index) on a click. */
export function buildGallery(container, sample, count, onPick) {
  if (container.dataset.sample === sample.name && container.childElementCount) return;
  container.replaceChildren();
  container.dataset.sample = sample.name;
  const { test, imageShape } = sample;
  const pixels = imageShape[0] * imageShape[1];
  for (let i = 0; i < Math.min(count, test.count); i++) {
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.index = String(i);
    button.append(thumbnail(test.pixels.subarray(i * pixels, (i + 1) * pixels)));
    button.addEventListener('click', () => onPick(i));
    container.append(button);
  }
}

/**
 * Frames each thumbnail: green when predicted[i] is its label, red when not (no frame without predictions);
 * outlines the picked one; the tooltip names the true class and the model's answer.
 */
export function markGallery(container, { sample, predicted, picked }) {
  for (const button of container.children) {
    const i = Number(button.dataset.index);
    const label = sample.test.labels[i];
    button.classList.toggle('right', Boolean(predicted && predicted[i] === label));
    button.classList.toggle('wrong', Boolean(predicted && predicted[i] !== label));
    button.classList.toggle('picked', picked === i);
    const truth = sample.classNames[label];
    button.title = predicted ? `${truth} (model: ${sample.classNames[predicted[i]]})` : truth;
  }
}
