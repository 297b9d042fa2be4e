// Bucket sizes for charts over a window: about 24 buckets, rounded to a clock-friendly length.

const STEPS = [60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

export function bucketSecondsFor(hours: number): number {
  const target = (hours * 3600) / 24;
  return STEPS.find((s) => s >= target) ?? 86400;
}
