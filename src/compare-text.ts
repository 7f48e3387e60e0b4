/**
 * Orders texts by UTF-16 code units, as `Array#sort` does by default, with null as the empty text. Not
 * `localeCompare`: reports built on different machines, or merged from threads, must order alike.
 * Used by the report stage (names, certificates, counts) and the table output (group order).
 */
export function compareText(a: string | null, b: string | null): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Position of an item in `order`, for sorting by it; items not in it come after all of it. The lists are short
 * (categories, TLS versions, detail names) and asked for once per group: a search beats building a map each time.
 */
export function rankIn(order: readonly string[]): (item: string) => number {
  return (item) => {
    const i = order.indexOf(item);
    return i < 0 ? order.length : i;
  };
}
