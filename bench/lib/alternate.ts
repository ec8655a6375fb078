/**
 * Alternation: every system runs once per round, in turn, for all rounds of a workload (A B C, C A B, B C A…),
 * instead of one system's runs in a block and then the next's. On a shared machine whose speed drifts by tens
 * of percent within minutes, two systems' runs in the same round saw the same machine; the ratio of the pair
 * (lib/ratios.ts) cancels the drift that a ratio of block medians would keep. The order rotates each round so
 * no system always runs first (after the previous workload) or last.
 */

/** The order of round `round`: the list rotated by the round number. */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  if (items.length === 0) return [];
  const shift = round % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

export interface Alternated<T> {
  /** per participant still standing: one value per measured round, in round order */
  runs: Map<T, number[]>;
  /** per participant that failed: the error, and the round it failed in */
  failed: Map<T, string>;
  /** who ran in which order, round by round (warm-up rounds first) */
  schedule: string[][];
}

/**
 * Runs `measure` for each participant in each round, `warmup` unmeasured rounds first. A participant whose
 * measurement throws is dropped from the later rounds (its error kept); the others go on.
 */
export async function alternate<T>(
  participants: readonly T[],
  options: { rounds: number; warmup: number; name: (p: T) => string },
  measure: (p: T, round: number) => Promise<number>,
): Promise<Alternated<T>> {
  const runs = new Map<T, number[]>(participants.map((p) => [p, []]));
  const failed = new Map<T, string>();
  const schedule: string[][] = [];
  for (let round = 0; round < options.warmup + options.rounds; round++) {
    const order = roundOrder(participants, round).filter((p) => !failed.has(p));
    schedule.push(order.map(options.name));
    for (const p of order) {
      try {
        const value = await measure(p, round);
        if (round >= options.warmup) runs.get(p)!.push(value);
      } catch (e) {
        failed.set(p, `round ${round + 1}: ${e instanceof Error ? e.message : String(e)}`);
        runs.delete(p);
      }
    }
  }
  return { runs, failed, schedule };
}
