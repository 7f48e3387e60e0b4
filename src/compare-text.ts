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
