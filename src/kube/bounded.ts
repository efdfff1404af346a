// Many requests at the API server's pace: a few in flight at once instead of one (kubectl's way),
// with each outcome reported in the items' order, so messages read as if they ran one by one.

/** Requests kept in flight by reads, dry runs and applies of many objects. */
export const REQUEST_CONCURRENCY = 8

export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown }

export interface BoundedOptions<R> {
  /** At most this many items in work at once (default REQUEST_CONCURRENCY). */
  limit?: number
  /** After a failure nothing new starts; what is in flight still finishes. */
  stopOnError?: boolean
  /** Each outcome, in the items' order, as soon as it and every one before it have settled. */
  inOrder?: (index: number, outcome: Outcome<R>) => void
}

/** Outcomes by index; undefined for items never started (after a failure, with stopOnError). */
export async function forEachBounded<T, R>(
  items: readonly T[],
  work: (item: T, index: number) => Promise<R>,
  options: BoundedOptions<R> = {}
): Promise<Array<Outcome<R> | undefined>> {
  const outcomes: Array<Outcome<R> | undefined> = new Array(items.length)
  let next = 0
  let reported = 0
  let failed = false
  const report = () => {
    while (reported < items.length && outcomes[reported]) {
      options.inOrder?.(reported, outcomes[reported]!)
      reported++
    }
  }
  const worker = async () => {
    while (next < items.length && !(failed && options.stopOnError)) {
      const i = next++
      try {
        outcomes[i] = { ok: true, value: await work(items[i], i) }
      } catch (error) {
        outcomes[i] = { ok: false, error }
        failed = true
      }
      report()
    }
  }
  const limit = Math.max(1, Math.min(options.limit ?? REQUEST_CONCURRENCY, items.length))
  await Promise.all(Array.from({ length: limit }, worker))
  return outcomes
}
