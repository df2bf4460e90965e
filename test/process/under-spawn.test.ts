// The process tests again, with the 'spawn' start method (the files themselves
// run with the default, 'forkserver'). The environment variable reaches the
// fixture scripts these tests start, too.
process.env.SKEIN_START_METHOD = 'spawn'
await import('./process.test.js')
await import('./lifecycle.test.js')
await import('./handles.test.js')
await import('./shared-args.test.js')
await import('./compiled.test.js')
await import('./forkserver.test.js')
