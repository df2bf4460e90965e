// Fuzz: a bounded number of random calls with random arguments on every
// public class (seeded and reproducible: the seed is in every failure
// message; SKEIN_FUZZ_SEED=n replays it). Each call must return, or throw a
// SkeinError/TypeError/RangeError with a message; never hang, crash, or
// leave the object unable to serve the next call; a call that throws
// changes nothing. SKEIN_FUZZ_SCALE multiplies the number of calls.
import { test, after } from 'node:test'
import { fuzz, type Subject } from './harness.js'
import { syncSubjects, fileLockSubject } from './subjects-sync.js'
import { dataSubjects } from './subjects-data.js'
import { levelSubjects } from './subjects-levels.js'
import { tempDir } from '../helpers/temp-dir.js'

const SEED = process.env.SKEIN_FUZZ_SEED !== undefined ? Number(process.env.SKEIN_FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31)
const SCALE = Number(process.env.SKEIN_FUZZ_SCALE ?? 1)

const dir = tempDir('skein-fuzz-')
const subjects: Array<Subject<any>> = [...syncSubjects, fileLockSubject(dir), ...dataSubjects, ...levelSubjects]

let total = 0
for (const subject of subjects) {
  test(`fuzz ${subject.name}: ${Math.round(subject.calls * SCALE)} random calls (seed ${SEED})`, async () => {
    total += await fuzz({ ...subject, calls: Math.round(subject.calls * SCALE) }, SEED)
  })
}

after(() => {
  process.stdout.write(`# fuzz: ${total} random calls over ${subjects.length} public classes, seed ${SEED}\n`)
})
