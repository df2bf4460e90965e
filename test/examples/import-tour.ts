// Imports the tour as a child process would import an example's module: nothing may run.
await import('../../examples/tour.js')
console.log('imported')
