/**
 * A server's name as sessions, queue entries and reports give it: upper case. Windows names ignore case, and one
 * server's logs name it both ways (`ex02` typed as a folder, `EX02\Default Frontend EX02` in a connector id): as
 * written, one server was two in the coverage and in the groups.
 */
export function serverName(name: string | null): string | null {
  return name === null ? null : name.toUpperCase();
}
