// The part of proper-lockfile's API the file-lock bench uses (the package ships no types).
declare module 'proper-lockfile' {
  const lockfile: { lock(file: string, options?: object): Promise<() => Promise<void>> }
  export default lockfile
}
