// A no-op: run as a script, it is the child_process.fork peer (plain node, no
// loader); imported, `noop` is the compiled-JS Process target.
export function noop() {}
