/**
 * A behaviour profile's spec: data, validated at publication. Every number is an IEEE
 * double compared and combined with + - * / and Math.sqrt only, so evaluation is the same on
 * every machine. Times are in seconds in the spec, milliseconds in readings.
 */
export interface MetricSpec {
  readonly unit: string;
  /** Soft bounds: a value outside is an anomaly (flagged, OUT_OF_RANGE). */
  readonly min?: number;
  readonly max?: number;
  /** Hard bounds: a value outside is impossible (the reading is rejected, HARD_VIOLATION). */
  readonly hardMin?: number;
  readonly hardMax?: number;
  /** Largest plausible change per second between consecutive readings (RATE_OF_CHANGE). */
  readonly maxDeltaPerSecond?: number;
  /** A reading without this metric is rejected (HARD_VIOLATION). */
  readonly required: boolean;
}

export interface ProfileSpec {
  /** Sorted by name, unique names. */
  readonly metrics: ReadonlyArray<readonly [name: string, spec: MetricSpec]>;
  /** Seconds between readings: faster than minSeconds is TOO_FREQUENT; silent past maxSeconds is late. */
  readonly interval?: { readonly minSeconds?: number; readonly maxSeconds?: number };
  /** Largest encoded size of a reading's values (PAYLOAD_TOO_LARGE). */
  readonly maxPayloadBytes?: number;
  /** Flag when a metric repeats the identical value `repeats` times in a row (STUCK_VALUE). */
  readonly stuck?: { readonly repeats: number };
  /**
   * Per-metric exponentially weighted mean and variance with weight `weight` (0 < w <= 1):
   * once `warmup` samples are in, a value more than `zScore` standard deviations from the mean is DRIFT.
   */
  readonly drift?: { readonly weight: number; readonly zScore: number; readonly warmup: number };
  /** Suspend the device in the same block when its flagged readings within the window reach the count. */
  readonly policy?: { readonly suspendAfter?: { readonly anomalies: number; readonly windowSeconds: number } };
}

/** A published version of a profile. */
export interface ProfileVersion {
  readonly id: string;
  /** 1, 2, ... */
  readonly version: number;
  readonly spec: ProfileSpec;
  /** Height of the block that published it; devices follow it from the next block on. */
  readonly publishedAt: number;
}
