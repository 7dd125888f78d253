/** The one function CertDesk uses from fs-native-extensions (the package ships no types). */
declare module 'fs-native-extensions' {
  /** An exclusive (or, with `shared`, a shared) lock on an open file: Linux OFD lock, macOS flock. False when another holds it. */
  export function tryLock(fd: number, opts?: { shared?: boolean }): boolean;
}
