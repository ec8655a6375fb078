/**
 * Φ(x), the standard normal CDF, in float64 for the gelu reference (JavaScript has no Math.erf). Accurate to
 * about 1e-15 relative everywhere, including the far left tail where 1 + erf(x/√2) would cancel:
 *
 *   |t| < 2, t = x/√2:  erf(t) = (2/√π) e^(−t²) Σ 2^k t^(2k+1) / (1·3···(2k+1))   (all terms positive)
 *   |t| ≥ 2:           erfc(|t|) = (e^(−t²)/√π) / (|t| + (1/2)/(|t| + 1/(|t| + (3/2)/(|t| + …))))
 */
const TWO_OVER_SQRT_PI = 1.1283791670955126;
const ONE_OVER_SQRT_PI = 0.5641895835477563;

/** erf(t) for |t| < 2 by the series above (at most 60 terms; each shrinks by 2t²/(2k+3) once k > t²). */
function erfSeries(t: number): number {
  let term = t;
  let sum = t;
  for (let k = 0; k < 60 && Math.abs(term) > 1e-17 * Math.abs(sum); k++) {
    term *= (2 * t * t) / (2 * k + 3);
    sum += term;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-t * t) * sum;
}

/** erfc(t) for t ≥ 2 by the continued fraction above, evaluated from its 60th level up. */
function erfcFraction(t: number): number {
  let f = t;
  for (let k = 60; k >= 1; k--) f = t + k / 2 / f;
  return (ONE_OVER_SQRT_PI * Math.exp(-t * t)) / f;
}

export function normalCdf(x: number): number {
  const t = x / Math.SQRT2;
  if (t >= 2) return 1 - 0.5 * erfcFraction(t);
  if (t <= -2) return 0.5 * erfcFraction(-t);
  return 0.5 + 0.5 * erfSeries(t);
}

/** φ(x) = e^(−x²/2) / √(2π). */
export function normalPdf(x: number): number {
  return 0.3989422804014327 * Math.exp(-0.5 * x * x);
}
