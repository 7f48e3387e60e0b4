/**
 * The part of a path after its last `/` or `\`: inputs are named as given, on Windows or not, and reports made on
 * one system are merged and shown on another, so both separators count wherever a file name is wanted.
 */
export function baseName(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut < 0 ? path : path.slice(cut + 1);
}
