/** Runs inside the isolate: the clock, the random source and the legacy RegExp statics made deterministic. */

/**
 * Replaces the clock and the random source with deterministic ones.
 * Returns the real clock (for the dispatcher's own timing) and resets.
 */
export function installDeterminism(fixedNow: number): { realNow: () => number; resetRandom: () => void; resetRegExpStatics: () => void } {
  const RealDate = Date;
  const realNow = RealDate.now.bind(RealDate);
  // Each call sees the same random sequence, so outputs cannot depend on call order.
  let seed = 0x9e3779b9;
  const random = (): number => {
    // xorshift32: fast, deterministic, good enough for code that should not rely on randomness at all.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 4294967296;
  };
  Object.defineProperty(Math, 'random', { value: random, writable: true, configurable: true });

  const FixedDate = function (this: unknown, ...args: unknown[]): unknown {
    if (new.target === undefined) return new RealDate(fixedNow).toString();
    return Reflect.construct(RealDate, args.length === 0 ? [fixedNow] : args, new.target);
  } as unknown as DateConstructor;
  Object.defineProperties(FixedDate, {
    prototype: { value: RealDate.prototype },
    now: { value: () => fixedNow, writable: true, configurable: true },
    parse: { value: RealDate.parse, writable: true, configurable: true },
    UTC: { value: RealDate.UTC, writable: true, configurable: true },
  });
  Object.defineProperty(RealDate.prototype, 'constructor', { value: FixedDate, writable: true, configurable: true });
  Object.defineProperty(globalThis, 'Date', { value: FixedDate, writable: true, configurable: true });
  pinIntlClock(fixedNow);

  // Legacy RegExp.$1, lastMatch, input... keep the last match of whichever function ran before; reset them.
  const resetRegExp = /(?:)/;
  const exec = RegExp.prototype.exec;
  return {
    realNow,
    resetRandom: () => {
      seed = 0x9e3779b9;
    },
    // A regex match costs about as much as a small extractor, so this runs once per document, not per call:
    // within a document functions run in a fixed order, so what they see stays deterministic.
    resetRegExpStatics: () => {
      exec.call(resetRegExp, '');
    },
  };
}

/**
 * Intl formatters read the real clock when given no date (`new Intl.DateTimeFormat().format()`): they get the
 * run's fixed time instead, as `Date` does.
 */
function pinIntlClock(fixedNow: number): void {
  const proto = Intl.DateTimeFormat.prototype as unknown as Record<string, unknown>;
  const format = Object.getOwnPropertyDescriptor(proto, 'format');
  if (format?.get) {
    const getFormat = format.get;
    Object.defineProperty(proto, 'format', {
      ...format,
      get(this: Intl.DateTimeFormat) {
        const bound = Reflect.apply(getFormat, this, []) as (date?: Date | number) => string;
        return (date?: Date | number) => bound(date === undefined ? fixedNow : date);
      },
    });
  }
  const formatToParts = proto['formatToParts'] as (date?: Date | number) => Intl.DateTimeFormatPart[];
  Object.defineProperty(proto, 'formatToParts', {
    value: function formatToPartsAt(this: Intl.DateTimeFormat, date?: Date | number) {
      return Reflect.apply(formatToParts, this, [date === undefined ? fixedNow : date]);
    },
    writable: true,
    configurable: true,
    enumerable: false,
  });
}
