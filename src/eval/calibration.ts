/**
 * Whether confidence means what it says: expected calibration error (ECE) over cells with a value, each marked
 * right (strict F1 1 against gold) or not. Confidences are binned into tenths; ECE is the cell-weighted mean gap
 * between a bin's mean confidence and its share of right cells. 0 is perfect; "cells under 0.5 right 78% of the
 * time" shows up as a large gap in the low bins.
 */
export interface CalibrationBin {
  from: number;
  to: number;
  cells: number;
  meanConfidence: number;
  accuracy: number;
}

export interface Calibration {
  /** Expected calibration error, in [0, 1]. */
  ece: number;
  cells: number;
  bins: CalibrationBin[];
}

export function calibration(cells: readonly { confidence: number; right: boolean }[], binCount = 10): Calibration {
  const sums = Array.from({ length: binCount }, () => ({ cells: 0, confidence: 0, right: 0 }));
  for (const cell of cells) {
    const bin = sums[Math.min(binCount - 1, Math.max(0, Math.floor(cell.confidence * binCount)))]!;
    bin.cells++;
    bin.confidence += cell.confidence;
    if (cell.right) bin.right++;
  }
  const bins = sums.map((bin, i) => ({
    from: i / binCount,
    to: (i + 1) / binCount,
    cells: bin.cells,
    meanConfidence: bin.cells ? bin.confidence / bin.cells : 0,
    accuracy: bin.cells ? bin.right / bin.cells : 0,
  }));
  const ece = cells.length ? bins.reduce((sum, bin) => sum + (bin.cells / cells.length) * Math.abs(bin.meanConfidence - bin.accuracy), 0) : 0;
  return { ece, cells: cells.length, bins };
}
