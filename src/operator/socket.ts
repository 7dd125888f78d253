/**
 * Where the operator channel listens: a Unix socket beside the embedded database, in a directory
 * only the server's user may enter (0700), the socket itself 0600. The file system is the
 * authentication: whoever can connect could as well open the database files (and is the server's
 * user, or root). A socket is never reachable from the network, and a container that mounts the
 * same DATA_DIR reaches it too.
 */
import { closeSync, lstatSync, openSync } from 'node:fs';
import path from 'node:path';

/** The directory that holds the socket, for the PGlite directory `dataDir`. */
export const socketDirOf = (dataDir: string) => `${dataDir}.run`;
export const socketPathOf = (dataDir: string) => path.join(socketDirOf(dataDir), 'certdesk.sock');

/** sun_path holds 108 bytes with its NUL; libuv silently truncates a longer path. */
const MAX_SOCKET_PATH = 107;

/**
 * An address for the socket in `dir`: its path, or — when that is too long for a Unix socket —
 * the same file reached through an open descriptor of the directory (/proc/self/fd/N/…), which
 * is short whatever the directory's path. `release()` closes that descriptor.
 */
export function socketAddress(dataDir: string): { path: string; release(): void } {
  const full = socketPathOf(dataDir);
  if (Buffer.byteLength(full) <= MAX_SOCKET_PATH) return { path: full, release: () => {} };
  const fd = openSync(socketDirOf(dataDir), 'r');
  return { path: `/proc/self/fd/${fd}/${path.basename(full)}`, release: () => closeSync(fd) };
}

/** The socket's directory must be the server user's own and closed to everyone else. */
export function assertPrivateDirectory(dir: string): void {
  const stat = lstatSync(dir);
  const uid = process.getuid?.();
  if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid) || (stat.mode & 0o077) !== 0) {
    throw new Error(`运维通道目录 ${dir} 应为本用户所有且权限为 0700，请检查后重试`);
  }
}
