import { Tensor } from '../tensor.js';

/**
 * Fisher's Iris data (Fisher 1936; UCI Machine Learning Repository), public domain: 150 flowers, 50 per species.
 *
 * Values follow Fisher's paper (as R's `iris` and scikit-learn >= 0.20 do). The UCI file iris.data has two
 * transcription errors its own iris.names documents: sample 35 there reads 4.9,3.1,1.5,0.1 (petal width should be
 * 0.2) and sample 38 reads 4.9,3.1,1.5,0.1 (should be 4.9,3.6,1.4,0.1). data/iris.csv holds the same 150 rows.
 *
 * Encoding, to keep the constant small and still checkable by eye: one 9-digit token per flower, four measurements
 * in tenths of a centimetre (two digits each) then the species index. "513514020" = 5.1, 3.5, 1.4, 0.2, setosa.
 */
const IRIS_ROWS = `
  513514020 493014020 473213020 463115020 503614020 543917040 463414030 503415020 442914020 493115010
  543715020 483416020 483014010 433011010 584012020 574415040 543913040 513514030 573817030 513815030
  543417020 513715040 463610020 513317050 483419020 503016020 503416040 523515020 523414020 473216020
  483116020 543415040 524115010 554214020 493115020 503212020 553513020 493614010 443013020 513415020
  503513030 452313030 443213020 503516060 513819040 483014030 513816020 463214020 533715020 503314020
  703247141 643245151 693149151 552340131 652846151 572845131 633347161 492433101 662946131 522739141
  502035101 593042151 602240101 612947141 562936131 673144141 563045151 582741101 622245151 562539111
  593248181 612840131 632549151 612847121 642943131 663044141 682848141 673050171 602945151 572635101
  552438111 552437101 582739121 602751161 543045151 603445161 673147151 632344131 563041131 552540131
  552644121 613046141 582640121 502333101 562742131 573042121 572942131 622943131 512530111 572841131
  633360252 582751192 713059212 632956182 653058222 763066212 492545172 732963182 672558182 723661252
  653251202 642753192 683055212 572550202 582851242 643253232 653055182 773867222 772669232 602250152
  693257232 562849202 772867202 632749182 673357212 723260182 622848182 613049182 642856212 723058162
  742861192 793864202 642856222 632851152 612656142 773061232 633456242 643155182 603048182 693154212
  673156242 693151232 582751192 683259232 673357252 673052232 632550192 653052202 623454232 593051182
`;

export const IRIS_CLASS_NAMES = ['setosa', 'versicolor', 'virginica'] as const;
export const IRIS_FEATURE_NAMES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] as const;

export interface IrisData {
  /** [150, 4] measurements in centimetres, in the feature order of featureNames */
  x: Tensor;
  /** species index 0..2 per row, into classNames */
  labels: Int32Array;
  classNames: string[];
  featureNames: string[];
}

/** The 150 Iris rows in their canonical order (50 setosa, 50 versicolor, 50 virginica). Fresh arrays each call. */
export function loadIris(): IrisData {
  const tokens = IRIS_ROWS.trim().split(/\s+/);
  // A typo in the constant should fail loudly here rather than train on a shifted table.
  if (tokens.length !== 150 || tokens.some((t) => !/^\d{8}[0-2]$/.test(t))) {
    throw new Error(`loadIris: embedded table is corrupt (${tokens.length} rows)`);
  }
  const x = new Float32Array(150 * 4);
  const labels = new Int32Array(150);
  tokens.forEach((token, row) => {
    for (let col = 0; col < 4; col++) x[row * 4 + col] = Number(token.slice(2 * col, 2 * col + 2)) / 10;
    labels[row] = Number(token[8]);
  });
  return { x: new Tensor(x, [150, 4]), labels, classNames: [...IRIS_CLASS_NAMES], featureNames: [...IRIS_FEATURE_NAMES] };
}
